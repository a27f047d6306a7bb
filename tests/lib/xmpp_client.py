#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A small XMPP client for tests/netns/test_federation.sh (Debian's
python3-slixmpp). It logs in to its own server over c2s on a loopback
address of the server's namespace (plain TCP: the TLS that matters there
is the servers' s2s), so what it sends to another domain crosses s2s.

  xmpp_client.py echo JID PASSWORD HOST PORT LIFETIME READY-FILE LOG-FILE
      Stays online for LIFETIME seconds; answers every message that has a
      body with "echo: BODY", and appends "FROM BODY" to LOG-FILE. Writes
      READY-FILE once it is online.

  xmpp_client.py send JID PASSWORD HOST PORT TIMEOUT TO BODY
      Sends a chat message with BODY to TO and waits at most TIMEOUT
      seconds for "echo: BODY" from TO's bare JID. Prints
        reply MS          the echo came back after MS milliseconds (exit 0)
        error CONDITION   an error came back, e.g. remote-server-timeout
                          from its own server when s2s failed (exit 3)
        timeout           nothing came back (exit 4)
        login-failed WHY  (exit 2)
"""
import asyncio
import logging
import sys
import time

import slixmpp

logging.basicConfig(level=logging.ERROR)


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.outcome = None
        self.done = asyncio.Event()
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("failed_auth", self.on_failed_auth)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("message_error", self.on_message)
        self.add_event_handler("disconnected", self.on_disconnected)
        # c2s is plain TCP on a loopback address (see above)
        self["feature_mechanisms"].unencrypted_plain = True

    def finish(self, outcome):
        if self.outcome is None:
            self.outcome = outcome
        self.done.set()

    def on_failed_auth(self, _event):
        self.finish(("login-failed", "authentication refused"))

    def on_disconnected(self, reason):
        self.finish(("login-failed", f"disconnected: {reason}"))

    async def on_start(self, _event):
        self.send_presence()

    def on_message(self, msg):
        pass


class Echo(Client):
    def __init__(self, jid, password, ready, log):
        super().__init__(jid, password)
        self.ready, self.log = ready, log

    async def on_start(self, event):
        await super().on_start(event)
        with open(self.ready, "w", encoding="utf-8") as f:
            f.write("ready\n")

    def on_message(self, msg):
        if msg["type"] in ("chat", "normal") and msg["body"]:
            with open(self.log, "a", encoding="utf-8") as f:
                f.write(f"{msg['from']} {msg['body']}\n")
            msg.reply(f"echo: {msg['body']}").send()


class Sender(Client):
    def __init__(self, jid, password, to, body):
        super().__init__(jid, password)
        self.to, self.body = slixmpp.JID(to), body
        self.t0 = None

    async def on_start(self, event):
        await super().on_start(event)
        self.t0 = time.monotonic()
        self.send_message(mto=self.to, mbody=self.body, mtype="chat")

    def on_message(self, msg):
        if msg["from"].bare != self.to.bare:
            return
        if msg["type"] == "error":
            err = msg["error"]
            self.finish(("error", f"{err['condition']} {err['text'] or ''}".strip()))
        elif msg["body"] == f"echo: {self.body}":
            ms = int((time.monotonic() - self.t0) * 1000)
            self.finish(("reply", str(ms)))


async def run(client, host, port, seconds):
    # slixmpp 1.8 looks up its default domain even when given an address:
    # an empty one, sent to the resolver of /etc/resolv.conf. Set to the
    # address, nothing is looked up.
    client.default_domain = host
    client.use_aiodns = False
    client.connect(address=(host, port), disable_starttls=True, force_starttls=False)
    try:
        await asyncio.wait_for(client.done.wait(), seconds)
    except asyncio.TimeoutError:
        pass
    client.disconnect(wait=1)


def main():
    args = sys.argv[1:]
    if len(args) == 8 and args[0] == "echo":
        _, jid, password, host, port, lifetime, ready, log = args
        client = Echo(jid, password, ready, log)
        asyncio.get_event_loop().run_until_complete(
            run(client, host, int(port), float(lifetime)))
        if client.outcome and client.outcome[0] == "login-failed":
            print(" ".join(client.outcome))
            return 2
        return 0
    if len(args) == 8 and args[0] == "send":
        _, jid, password, host, port, timeout, to, body = args
        client = Sender(jid, password, to, body)
        asyncio.get_event_loop().run_until_complete(
            run(client, host, int(port), float(timeout)))
        outcome = client.outcome or ("timeout",)
        print(" ".join(outcome))
        return {"reply": 0, "login-failed": 2, "error": 3, "timeout": 4}[outcome[0]]
    print(__doc__, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
