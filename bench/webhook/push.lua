-- wrk script of the throughput benchmark: every request is the same signed GitHub push (the body file in
-- $BENCH_BODY, its X-Hub-Signature-256 in $BENCH_SIGNATURE) to $BENCH_PATH, each with a delivery id of
-- its own, as GitHub sends them.
local file = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH")
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "GitHub-Hookshot/1e2c4b3"
wrk.headers["X-GitHub-Event"] = "push"
wrk.headers["X-GitHub-Hook-ID"] = "448113021"
wrk.headers["X-Hub-Signature-256"] = os.getenv("BENCH_SIGNATURE")

math.randomseed(os.time())
local prefix = string.format("%08x-%04x-", math.random(0, 0x7fffffff), math.random(0, 0xffff))
local sent = 0

function request()
  sent = sent + 1
  wrk.headers["X-GitHub-Delivery"] = prefix .. sent
  return wrk.format()
end
