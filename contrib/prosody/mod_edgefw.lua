-- SPDX-License-Identifier: GPL-2.0
-- mod_edgefw: Prosody (0.12) asks edgefw to block the servers that keep
-- failing server-to-server authentication.
--
-- An incoming s2s stream that ends before it authenticated, because the
-- remote server's certificate failed verification or its dialback key
-- was refused, counts a failure for the remote IP. After
-- edgefw_max_failures failures within edgefw_failure_window seconds, the
-- module asks the edgefw daemon, over its control socket, to block the IP
-- for edgefw_block_ttl: its packets are then dropped by edgefw's XDP
-- program before they reach Prosody. The request goes out through
-- Prosody's own event loop (net.server, a non-blocking Unix socket): the
-- server never waits for edgefw.
--
-- The prosody user must be in group edgefw (usermod -aG edgefw prosody)
-- to use the socket; edgefw refuses to block its protected addresses (the
-- front-end pool, management hosts, partners) and caps the TTL
-- (control block ttl max in edgefw.conf).
--
-- prosody.cfg.lua (global section):
--   modules_enabled = { ...; "edgefw" }
--   plugin_paths = { "/usr/share/edgefw/prosody" }  -- where this file is
--   edgefw_socket = "/run/edgefw/control.sock"
--   edgefw_max_failures = 5      -- N
--   edgefw_failure_window = 60   -- T, seconds
--   edgefw_block_ttl = "1h"      -- 90s, 15m, 2h, 7d
--   edgefw_exempt = { "192.0.2.10" }  -- never asked to block these
--
-- Undo:
--   prosodyctl mod_edgefw unblock 192.0.2.66   (as root or a member of group edgefw)
--   prosodyctl shell "edgefw:unblock('192.0.2.66')"   (mod_admin_shell)
--   edgefw block del 192.0.2.66
-- See edgefw's README, "Prosody: mod_edgefw".

local json = require "util.json";
local server = require "net.server";
local unix = require "socket.unix";
local set = require "util.set";

local socket_path = module:get_option_string("edgefw_socket", "/run/edgefw/control.sock");
local max_failures = module:get_option_number("edgefw_max_failures", 5);
local window = module:get_option_number("edgefw_failure_window", 60);
local block_ttl = tostring(module:get_option("edgefw_block_ttl", "1h"));
local exempt = module:get_option_set("edgefw_exempt", {});

-- "90s", "15m", "2h", "7d" or a number: seconds, as edgefw reads them
local function seconds(ttl)
	local n, unit = tostring(ttl):match("^(%d+)([smhd]?)$");
	if not n then return nil; end
	return tonumber(n) * ({ [""] = 1, s = 1, m = 60, h = 3600, d = 86400 })[unit];
end
local ttl_seconds = seconds(block_ttl);
if not ttl_seconds then
	module:log("error", "edgefw_block_ttl = %q is not a duration such as 90s, 15m, 2h or 7d; using 1h", block_ttl);
	block_ttl, ttl_seconds = "1h", 3600;
end

-- The close reasons of mod_s2s (check_auth_policy, friendly_cert_error)
-- and mod_dialback that say the remote server failed to authenticate.
local auth_failures = {
	"certificate is not trusted", "certificate has expired",
	"certificate is self%-signed", "certificate is not valid for this name",
	"certificate could not be validated", "dialback authentication failed",
	"^not%-authorized$",
};

local failures = {}; -- ip -> { times... }
local blocked = {}; -- ip -> true while a request is out or the block lasts
local stats = { failures = 0, requests = 0, blocked = 0, refused = 0, errors = 0 };

-- One request over the control socket, without blocking the event loop:
-- callback(response) or callback(nil, error) later, from the loop.
local function request(req, callback)
	local sock, err = unix();
	if not sock then return callback(nil, err); end
	sock:settimeout(0);
	local ok;
	ok, err = sock:connect(socket_path);
	if not ok then
		sock:close();
		return callback(nil, ("cannot reach edgefw at %s: %s"):format(socket_path, err));
	end
	local buffer, done = "", false;
	local function finish(resp, why)
		if done then return; end
		done = true;
		callback(resp, why);
	end
	local listeners = {};
	function listeners.onincoming(conn, data)
		buffer = buffer .. data;
		local line = buffer:match("^([^\n]*)\n");
		if not line then return; end
		local resp = json.decode(line);
		-- answered before closing: the close calls ondisconnect at once
		if type(resp) ~= "table" then
			finish(nil, "edgefw answered what mod_edgefw does not read");
		else
			finish(resp);
		end
		conn:close();
	end
	function listeners.ondisconnect(_, why)
		finish(nil, "edgefw closed the connection" .. (why and (": " .. tostring(why)) or ""));
	end
	local conn;
	conn, err = server.wrapclient(sock, socket_path, 0, listeners);
	if not conn then
		sock:close();
		return callback(nil, err);
	end
	conn:write(json.encode(req) .. "\n");
end

-- The same, waiting for the answer: for prosodyctl, which has no loop.
local function request_blocking(req)
	local sock, err = unix();
	if not sock then return nil, err; end
	sock:settimeout(10);
	local ok;
	ok, err = sock:connect(socket_path);
	if not ok then
		return nil, ("cannot reach edgefw at %s: %s (is edgefw daemon running, and are you root or in group edgefw?)"):format(socket_path, err);
	end
	sock:send(json.encode(req) .. "\n");
	local line;
	line, err = sock:receive("*l");
	sock:close();
	if not line then return nil, "edgefw did not answer: " .. tostring(err); end
	return json.decode(line);
end

local function block(ip, why)
	if blocked[ip] then return; end
	blocked[ip] = true;
	stats.requests = stats.requests + 1;
	local reason = ("mod_edgefw: %d s2s auth failures in %ds (%s)"):format(max_failures, window, why):sub(1, 120);
	module:log("warn", "%s failed s2s authentication %d times in %d s: asking edgefw to block it for %s",
		ip, max_failures, window, block_ttl);
	request({ v = 1, cmd = "block add", addr = ip, ttl = block_ttl, reason = reason }, function (resp, err)
		if not resp then
			stats.errors = stats.errors + 1;
			blocked[ip] = nil;
			module:log("error", "cannot block %s: %s", ip, err);
		elseif resp.ok then
			stats.blocked = stats.blocked + 1;
			module:log("info", "edgefw blocked %s: %s", ip, (resp.stderr or ""):gsub("\n$", ""));
			-- asked again once the block has run out
			module:add_timer(ttl_seconds, function ()
				blocked[ip] = nil;
				failures[ip] = nil;
			end);
		else
			stats.refused = stats.refused + 1;
			module:log("warn", "edgefw refused to block %s: %s", ip, resp.error or "(no reason)");
			-- its failures go on counting; it is asked again at the next threshold
			blocked[ip] = nil;
			failures[ip] = nil;
		end
	end);
end

local function is_auth_failure(reason)
	if type(reason) ~= "string" then return false; end
	for _, pattern in ipairs(auth_failures) do
		if reason:match(pattern) then return true; end
	end
	return false;
end

local function on_failure(ip, why)
	if exempt:contains(ip) then return; end
	stats.failures = stats.failures + 1;
	local now = os.time();
	local times = failures[ip] or {};
	failures[ip] = times;
	table.insert(times, now);
	while times[1] and times[1] <= now - window do
		table.remove(times, 1);
	end
	module:log("info", "s2s authentication failure %d/%d from %s: %s", #times, max_failures, ip, why);
	if #times >= max_failures then
		block(ip, why);
	end
end

-- Every s2s session that ends; the unauthenticated incoming ones that
-- were closed for failing authentication are the failures. (s2sin-destroyed
-- only fires for authenticated streams; s2s-destroyed fires for all.)
module:set_global();
module:hook_global("s2s-destroyed", function (event)
	local session, reason = event.session, event.reason;
	if session.direction ~= "incoming" or session.type == "s2sin" or not session.ip then
		return;
	end
	if is_auth_failure(reason) then
		on_failure(session.ip, reason);
	end
end);

-- The admin shell: edgefw:unblock(ip), edgefw:block(ip, ttl), edgefw:status()
local console_env = module:shared("/*/admin_shell/env");
console_env.edgefw = {};
-- luacheck: ignore 212/self
function console_env.edgefw:unblock(ip)
	blocked[ip], failures[ip] = nil, nil;
	request({ v = 1, cmd = "block del", addr = ip }, function (resp, err)
		if resp and resp.ok then
			module:log("info", "edgefw unblocked %s (admin shell)", ip);
		else
			module:log("warn", "cannot unblock %s: %s", ip, resp and resp.error or err);
		end
	end);
	return true, "asked edgefw to unblock " .. ip .. " (the result goes to Prosody's log)";
end
function console_env.edgefw:block(ip, ttl)
	request({ v = 1, cmd = "block add", addr = ip, ttl = ttl or block_ttl,
		reason = "mod_edgefw: admin shell" }, function (resp, err)
		module:log(resp and resp.ok and "info" or "warn", "block of %s: %s", ip,
			resp and (resp.ok and resp.stderr or resp.error) or err);
	end);
	return true, "asked edgefw to block " .. ip .. " (the result goes to Prosody's log)";
end
function console_env.edgefw:status()
	local pending = set.new();
	for ip in pairs(blocked) do pending:add(ip); end
	return true, ("%d failures counted, %d block requests, %d blocked, %d refused, %d errors; blocked by this module: %s"):format(
		stats.failures, stats.requests, stats.blocked, stats.refused, stats.errors, tostring(pending));
end

-- prosodyctl mod_edgefw unblock|block|list ...
function module.command(arg)
	local cmd, ip = arg[1], arg[2];
	local req;
	if cmd == "unblock" and ip then
		req = { v = 1, cmd = "block del", addr = ip };
	elseif cmd == "block" and ip then
		req = { v = 1, cmd = "block add", addr = ip, ttl = arg[3] or block_ttl,
			reason = "mod_edgefw: prosodyctl" };
	elseif cmd == "list" then
		req = { v = 1, cmd = "block list" };
	else
		print("usage: prosodyctl mod_edgefw unblock IP | block IP [TTL] | list");
		return 2;
	end
	local resp, err = request_blocking(req);
	if not resp then
		io.stderr:write("mod_edgefw: ", err, "\n");
		return 1;
	end
	io.stdout:write(resp.stdout or "");
	io.stderr:write(resp.stderr or "");
	return resp.exit or 1;
end
