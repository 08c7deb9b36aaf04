-- Helpers shared by the `loupe` function library (library.ts prepends the library header and
-- loads this file first). Every lock state change goes through `grant`, `extend` and `drop`, so
-- the rules of docs/locks.md are written once; each records what it did in C.changes, which
-- the caller journals to PostgreSQL and turns into events (docs/cluster.md, "Redis").
--
-- Numbers leave Lua as decimal strings: cjson keeps only 14 significant digits, and tokens
-- (gen × 2^32 + counter) and millisecond times need more.

local TWO32 = 4294967296

-- Percent-encodes every byte outside A-Z a-z 0-9 - . _ ~ (keys.ts's encodeId).
local function enc(id)
  return (string.gsub(id, '[^%w%-%._~]', function(c)
    return string.format('%%%02X', string.byte(c))
  end))
end

local function int(n)
  return string.format('%.0f', n)
end

-- One clock for every deadline: the Redis host's.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function bkey(P, board, suffix)
  return P .. '{b:' .. enc(board) .. '}:' .. suffix
end

local function skey(P, sid, suffix)
  return P .. 'sess:' .. enc(sid) .. (suffix or '')
end

local function qkey(P, board, entity)
  return bkey(P, board, 'q:' .. enc(entity))
end

-- `<boardId>/<entityType>/<entityId>` → boardId, `<entityType>/<entityId>`.
local function split_key(key)
  return string.match(key, '^([^/]*)/(.*)$')
end

-- The state every lock function works in; nil while the generation is not ready (NOGEN).
local function context(P)
  local g = redis.call('HMGET', P .. 'gen', 'gen', 'state')
  if g[2] ~= 'ready' then
    return nil
  end
  return { P = P, now = now_ms(), gen = tonumber(g[1]), changes = {}, touched = {} }
end

local function nogen()
  return redis.error_reply('NOGEN the lock generation is not ready')
end

-- Bumps each touched board's lock version once, and encodes the reply with its changes.
local function finish(C, reply)
  for board in pairs(C.touched) do
    redis.call('INCR', bkey(C.P, board, 'lockver'))
  end
  reply.changes = C.changes
  reply.now = int(C.now)
  return cjson.encode(reply)
end

local function change(C, board, entry)
  C.touched[board] = true
  table.insert(C.changes, entry)
end

-- A session is alive while its deadline is in the future (L5).
local function session_alive(C, sid)
  local deadline = redis.call('ZSCORE', C.P .. 'sessdeadline', sid)
  return deadline and tonumber(deadline) > C.now
end

local function store_lock(C, board, entity, rec)
  redis.call('HSET', bkey(C.P, board, 'locks'), entity, cjson.encode(rec))
  redis.call('ZADD', C.P .. 'lockexp', rec.e, rec.k)
end

-- A new holder with the next fencing token for the key (L2): gen × 2^32 + per-key counter.
local function grant(C, board, entity, user, sid, ttl, rid, from_queue)
  local counter = redis.call('HINCRBY', bkey(C.P, board, 'fence'), entity, 1)
  local rec = {
    k = board .. '/' .. entity, h = user, s = sid, r = rid,
    t = int(C.gen * TWO32 + counter), a = int(C.now), e = int(C.now + ttl), l = int(ttl),
  }
  store_lock(C, board, entity, rec)
  if sid ~= '' then
    redis.call('SADD', skey(C.P, sid, ':locks'), rec.k)
  end
  change(C, board, { k = 'granted', lock = rec, fromQueue = from_queue })
  return rec
end

-- The same holder keeps the lock and its token with a fresh TTL.
local function extend(C, board, entity, rec, ttl)
  rec.e = int(C.now + ttl)
  rec.l = int(ttl)
  store_lock(C, board, entity, rec)
  change(C, board, { k = 'renewed', lock = rec })
  return rec
end

local function waiter_info_key(entity, member)
  return entity .. '#' .. member
end

local function remove_waiter(C, board, entity, member, w, reason)
  redis.call('ZREM', qkey(C.P, board, entity), member)
  redis.call('HDEL', bkey(C.P, board, 'qinfo'), waiter_info_key(entity, member))
  if w.s ~= '' then
    redis.call('SREM', skey(C.P, w.s, ':waits'), board .. '/' .. entity)
  end
  change(C, board, { k = 'dequeued', key = board .. '/' .. entity, waiter = w, reason = reason })
end

local function waiter(C, board, entity, member)
  local raw = redis.call('HGET', bkey(C.P, board, 'qinfo'), waiter_info_key(entity, member))
  return raw and cjson.decode(raw)
end

-- Grants the lock to the first waiter whose session is alive; dead ones leave the queue (L6).
local function serve_next(C, board, entity)
  local q = qkey(C.P, board, entity)
  while true do
    local first = redis.call('ZRANGE', q, 0, 0)
    if #first == 0 then
      return
    end
    local w = waiter(C, board, entity, first[1])
    if not w then
      redis.call('ZREM', q, first[1])
    elseif w.s == '' or session_alive(C, w.s) then
      remove_waiter(C, board, entity, first[1], w, 'granted')
      grant(C, board, entity, w.u, w.s, tonumber(w.l), w.r, true)
      return
    else
      remove_waiter(C, board, entity, first[1], w, 'dead')
    end
  end
end

local function drop(C, board, entity, rec, reason, by)
  redis.call('HDEL', bkey(C.P, board, 'locks'), entity)
  redis.call('ZREM', C.P .. 'lockexp', rec.k)
  if rec.s ~= '' then
    redis.call('SREM', skey(C.P, rec.s, ':locks'), rec.k)
  end
  change(C, board, { k = 'released', lock = rec, reason = reason, by = by, at = int(C.now) })
  serve_next(C, board, entity)
end

-- The key's lock, expired first if its time is up (L4), which may serve a waiter.
local function current(C, board, entity)
  local raw = redis.call('HGET', bkey(C.P, board, 'locks'), entity)
  if not raw then
    return nil
  end
  local rec = cjson.decode(raw)
  if tonumber(rec.e) <= C.now then
    drop(C, board, entity, rec, 'expired', rec.h)
    return current(C, board, entity)
  end
  return rec
end

-- Only the holder renews or releases (L3): same user, and the same session when both have one.
local function is_holder(rec, uid, sid)
  return rec.h.id == uid and (rec.s == '' or sid == '' or rec.s == sid)
end

local function queue_length(C, board, entity)
  return redis.call('ZCARD', qkey(C.P, board, entity))
end

-- A dead or ended session loses its locks and its places in queues (L5). Its deadline goes
-- first, so serving the queues it held never hands a lock back to it.
local function release_session(C, sid, reason)
  redis.call('ZREM', C.P .. 'sessdeadline', sid)
  for _, key in ipairs(redis.call('SMEMBERS', skey(C.P, sid, ':locks'))) do
    local board, entity = split_key(key)
    local raw = redis.call('HGET', bkey(C.P, board, 'locks'), entity)
    local rec = raw and cjson.decode(raw)
    if rec and rec.s == sid then
      drop(C, board, entity, rec, reason, rec.h)
    end
  end
  for _, key in ipairs(redis.call('SMEMBERS', skey(C.P, sid, ':waits'))) do
    local board, entity = split_key(key)
    local w = waiter(C, board, entity, 's:' .. sid)
    if w then
      remove_waiter(C, board, entity, 's:' .. sid, w, reason)
    end
  end
  redis.call('DEL', skey(C.P, sid), skey(C.P, sid, ':locks'), skey(C.P, sid, ':waits'))
end
