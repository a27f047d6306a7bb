# SPDX-License-Identifier: GPL-2.0
# make man, install and uninstall (included by the Makefile).
#
# PREFIX (default /usr/local) and DESTDIR as usual. With PREFIX=/usr (the
# Debian package) the systemd, tmpfiles and completion directories are the
# ones their packages' pkg-config files name (on Debian 12: /lib/systemd/
# system, /usr/lib/tmpfiles.d, /usr/share/bash-completion/completions);
# under any other prefix they are the prefix's own, which systemd,
# systemd-tmpfiles, systemd-sysusers and bash-completion search too
# (/usr/local/lib/...). make install creates no group: the package's
# postinst runs systemd-sysusers; after make install, run it yourself.

pc_var = $(shell $(PKG_CONFIG) --variable=$(1) $(2) 2>/dev/null)

SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/edgefw
DATADIR ?= $(PREFIX)/share/edgefw
ifeq ($(PREFIX),/usr)
UNITDIR ?= $(or $(call pc_var,systemdsystemunitdir,systemd),/lib/systemd/system)
TMPFILESDIR ?= $(or $(call pc_var,tmpfilesdir,systemd),/usr/lib/tmpfiles.d)
SYSUSERSDIR ?= $(or $(call pc_var,sysusersdir,systemd),/usr/lib/sysusers.d)
COMPLETIONSDIR ?= $(or $(call pc_var,completionsdir,bash-completion),/usr/share/bash-completion/completions)
else
UNITDIR ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
COMPLETIONSDIR ?= $(PREFIX)/share/bash-completion/completions
endif

MAN_PAGES := $(BUILD)/man/edgefw.8 $(BUILD)/man/edgefw.conf.5

# Every installed file, DESTINATION:SOURCE:MODE; install and uninstall
# both go by it.
INSTALL_FILES := \
	$(SBINDIR)/edgefw:$(BUILD)/edgefw:0755 \
	$(UNITDIR)/edgefw.service:$(BUILD)/edgefw.service:0644 \
	$(TMPFILESDIR)/edgefw.conf:systemd/edgefw.tmpfiles:0644 \
	$(SYSUSERSDIR)/edgefw.conf:systemd/edgefw.sysusers:0644 \
	$(MANDIR)/man8/edgefw.8:$(BUILD)/man/edgefw.8:0644 \
	$(MANDIR)/man5/edgefw.conf.5:$(BUILD)/man/edgefw.conf.5:0644 \
	$(COMPLETIONSDIR)/edgefw:completion/edgefw.bash:0644 \
	$(DOCDIR)/examples/lync-xmpp.conf:examples/lync-xmpp.conf:0644 \
	$(DATADIR)/prosody/mod_edgefw.lua:contrib/prosody/mod_edgefw.lua:0644 \
	$(DATADIR)/fail2ban/action.d/edgefw.conf:contrib/fail2ban/action.d/edgefw.conf:0644

.PHONY: man install uninstall

man: $(MAN_PAGES)

$(BUILD)/man/%: docs/%.scd
	@mkdir -p $(@D)
	scdoc <$< >$@

# The unit names the binary where this prefix puts it.
$(BUILD)/edgefw.service: systemd/edgefw.service FORCE
	@mkdir -p $(@D)
	sed 's|/usr/sbin/edgefw|$(SBINDIR)/edgefw|g' $< >$@

install: $(BUILD)/edgefw $(MAN_PAGES) $(BUILD)/edgefw.service
	@set -e; for f in $(INSTALL_FILES); do \
		dst=$${f%%:*}; src=$${f#*:}; mode=$${src##*:}; src=$${src%:*}; \
		echo "install -m $$mode $$src $(DESTDIR)$$dst"; \
		install -D -m $$mode "$$src" "$(DESTDIR)$$dst"; \
	done

uninstall:
	@for f in $(INSTALL_FILES); do \
		echo "rm -f $(DESTDIR)$${f%%:*}"; rm -f "$(DESTDIR)$${f%%:*}"; \
	done
	@for d in "$(DESTDIR)$(DOCDIR)/examples" "$(DESTDIR)$(DOCDIR)" \
		"$(DESTDIR)$(DATADIR)/prosody" "$(DESTDIR)$(DATADIR)/fail2ban/action.d" \
		"$(DESTDIR)$(DATADIR)/fail2ban" "$(DESTDIR)$(DATADIR)"; do \
		[ ! -d "$$d" ] || rmdir --ignore-fail-on-non-empty "$$d"; \
	done

FORCE:
