-- wrk script for a request with a method and a body, e.g. htmx's autosave POST:
--   wrk ... -s bench/request.lua URL -- METHOD BODY [CONTENT-TYPE]
-- Other headers (Cookie, HX-Request, User-Agent) come from wrk's -H options and are
-- already in wrk.headers. The summary line at the end comes from summary.lua, next to this file.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "summary.lua")

init = function(args)
  wrk.method = args[1]
  wrk.body = args[2] or ""
  wrk.headers["Content-Type"] = args[3] or "application/x-www-form-urlencoded"
end
