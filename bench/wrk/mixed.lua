-- bench/load.py's traffic: of every 10 requests, 8 reads (the lines of $BENCH_BODIES in turn),
-- one importArticle and one importArticles of 5 records, each import new (ids "lw-<thread>-<n>").
-- Imports that answer success are appended to $BENCH_ACKS-<thread>, one id a line; statuses,
-- and import outcomes, are counted; done() prints one "BENCH {json}" line.
local bodies_path = os.getenv("BENCH_BODIES")
local acks_prefix = os.getenv("BENCH_ACKS")
local token = os.getenv("BENCH_TOKEN")
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

local bodies = {}
local index = 0
local counter = 0
local acks
statuses = {}
outcomes = {}

local IMPORT_ONE = 'mutation Import($text: String!, $title: String) { importArticle(text: $text, title: $title) { __typename ... on ImportArticleSuccess { created quoteCount article { id title } } ... on InvalidArticleError { message } ... on NotAuthorizedError { message } } }'
local IMPORT_MANY = 'mutation ImportMany($input: [ArticleInput!]!) { importArticles(input: $input) { __typename ... on ImportArticlesSuccess { results { index status error article { externalId } } } ... on InvalidInputError { message } ... on NotAuthorizedError { message } } }'
local NAMES = {"Ana Lund", "Eva Moreno", "Tomas Berg", "Lina Park", "Kofi Mensah", "Hiro Tanaka",
               "Sofia Rossi", "Omar Haddad", "Ines Silva", "Jonas Novak", "Mei Nguyen", "Yusuf Khan"}
local COUNTRIES = {"France", "Kenya", "Japan", "Brazil", "Canada", "Norway", "Peru", "Vietnam"}

local function article_text(id, n)
  local a = NAMES[n % #NAMES + 1]
  local b = NAMES[(n * 7 + 3) % #NAMES + 1]
  local c = COUNTRIES[n % #COUNTRIES + 1]
  return string.format(
    "Load test %s\\n\\n\\u201cWe will settle item %s this week,\\u201d said Senator %s of %s.\\n" ..
    "Minister %s said that the talks on %s were going well.\\n" ..
    "\\u201cNothing is agreed until everything is,\\u201d one official said.\\n", id, id, a, c, b, id)
end

function init(args)
  for line in io.lines(bodies_path) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  index = ((tid or 1) - 1) * 7919 % #bodies
  acks = io.open(string.format("%s-%d", acks_prefix, tid or 1), "a")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  counter = counter + 1
  local slot = counter % 10
  if slot == 3 then
    local id = string.format("lw-%d-%d", tid or 1, counter)
    local body = string.format('{"query":"%s","variables":{"text":"%s","title":"Load test %s"}}',
                               IMPORT_ONE, article_text(id, counter), id)
    return wrk.format(nil, nil, nil, body)
  elseif slot == 8 then
    local records = {}
    for k = 1, 5 do
      local id = string.format("lw-%d-%d-%d", tid or 1, counter, k)
      records[k] = string.format('{"externalId":"%s","title":"Load test %s","text":"%s","publisher":"Load Wire"}',
                                 id, id, article_text(id, counter + k))
    end
    local body = string.format('{"query":"%s","variables":{"input":[%s]}}', IMPORT_MANY, table.concat(records, ","))
    return wrk.format(nil, nil, nil, body)
  end
  index = index % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[index])
end

local function count(tbl, key)
  tbl[key] = (tbl[key] or 0) + 1
end

function response(status, headers, body)
  count(statuses, tostring(status))
  if status ~= 200 or not body:find('"importArticle', 1, true) then return end
  if body:find('"ImportArticleSuccess"', 1, true) then
    count(outcomes, "importArticle success")
    for id in body:gmatch('"title":"Load test (lw%-[%d%-]+)"') do acks:write(id, "\n") end
  elseif body:find('"ImportArticlesSuccess"', 1, true) then
    count(outcomes, "importArticles success")
    for status in body:gmatch('"status":"(%u+)"') do count(outcomes, "record " .. status) end
    for id in body:gmatch('"externalId":"(lw%-[%d%-]+)"') do acks:write(id, "\n") end
  else
    local name = body:match('"__typename":"(%w+)"') or "no typename"
    count(outcomes, "import " .. name)
  end
  acks:flush()
end

local function json_counts(tbl)
  local parts = {}
  for k, v in pairs(tbl) do parts[#parts + 1] = string.format('"%s": %d', k, v) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local merged, merged_outcomes = {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses")) do merged[k] = (merged[k] or 0) + v end
    for k, v in pairs(thread:get("outcomes")) do merged_outcomes[k] = (merged_outcomes[k] or 0) + v end
  end
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status_errors": %d, ' ..
    '"statuses": %s, "outcomes": %s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status, json_counts(merged), json_counts(merged_outcomes)))
end
