-- Sessions, board leases and the lock generation (docs/cluster.md, "Redis").

-- prefix, sessionId, userId, userName, nodeId, ttlMs: starts, refreshes or resumes (from any
-- node) a live session. A session of another user, or one whose deadline passed (the reaper
-- has yet to free its locks), cannot be taken.
local function session_touch(_, a)
  local P, sid, uid = a[1], a[2], a[3]
  local now = now_ms()
  local s = skey(P, sid)
  local owner = redis.call('HGET', s, 'userId')
  if owner and owner ~= uid then
    return cjson.encode({ r = 'other_user' })
  end
  local deadline = redis.call('ZSCORE', P .. 'sessdeadline', sid)
  if owner and (not deadline or tonumber(deadline) <= now) then
    return cjson.encode({ r = 'dead' })
  end
  local previous = redis.call('HGET', s, 'nodeId') or ''
  redis.call('HSET', s, 'userId', uid, 'name', a[4], 'nodeId', a[5], 'state', 'live')
  redis.call('ZADD', P .. 'sessdeadline', int(now + tonumber(a[6])), sid)
  return cjson.encode({ r = 'ok', previousNode = previous })
end

-- prefix, sessionId, graceMs: the socket is gone; the session may resume within the grace.
local function session_detach(_, a)
  local P, sid = a[1], a[2]
  local now = now_ms()
  local deadline = redis.call('ZSCORE', P .. 'sessdeadline', sid)
  if not deadline or tonumber(deadline) <= now then
    return 0
  end
  redis.call('ZADD', P .. 'sessdeadline', int(now + tonumber(a[3])), sid)
  redis.call('HSET', skey(P, sid), 'state', 'detached')
  return 1
end

-- prefix, sessionId → JSON {userId, alive}
local function session_info(_, a)
  local uid = redis.call('HGET', skey(a[1], a[2]), 'userId')
  local deadline = redis.call('ZSCORE', a[1] .. 'sessdeadline', a[2])
  local alive = uid and deadline and tonumber(deadline) > now_ms() or false
  return cjson.encode({ userId = uid or '', alive = alive })
end

-- prefix, nodeId (encoded), JSON {incarnation, ...}, ttlMs, start ('1' at start-up) → 1, or 0
-- when another incarnation of this node id has registered since (this process has been
-- replaced and must stop). A starting process takes the id over.
local function node_refresh(_, a)
  local key = a[1] .. 'node:' .. a[2]
  local mine = cjson.decode(a[3]).incarnation
  local raw = redis.call('GET', key)
  if a[5] ~= '1' and raw and cjson.decode(raw).incarnation ~= mine then
    return 0
  end
  redis.call('SET', key, a[3], 'PX', a[4])
  return 1
end

-- prefix, board, me (`<encoded nodeId>.<incarnation>`), leaseMs → JSON {r, previous}: takes a
-- free lease, or one whose node is no longer registered under the incarnation it names.
local function lease_claim(_, a)
  local key = bkey(a[1], a[2], 'owner')
  if redis.call('SET', key, a[3], 'NX', 'PX', a[4]) then
    return cjson.encode({ r = 'taken', previous = '' })
  end
  local cur = redis.call('GET', key)
  if cur == a[3] then
    redis.call('PEXPIRE', key, a[4])
    return cjson.encode({ r = 'mine', previous = '' })
  end
  local node, incarnation = string.match(cur, '^(.*)%.([^.]*)$')
  local raw = node and redis.call('GET', a[1] .. 'node:' .. node)
  if raw and cjson.decode(raw).incarnation == incarnation then
    return cjson.encode({ r = 'held', previous = cur })
  end
  redis.call('SET', key, a[3], 'PX', a[4])
  return cjson.encode({ r = 'taken', previous = cur })
end

-- prefix, board, me, leaseMs → 1 when renewed, 0 when the lease is gone or someone else's.
local function lease_renew(_, a)
  local key = bkey(a[1], a[2], 'owner')
  if redis.call('GET', key) ~= a[3] then
    return 0
  end
  return redis.call('PEXPIRE', key, a[4])
end

-- prefix, me, leaseMs, retake ('1' or '0'), board... → per board, lease_renew's answer: a node
-- renews every lease it holds in one call, not one call per board. With retake (the renewal
-- after a stall of the node), a lease that lapsed meanwhile and that nobody holds is taken
-- back: whoever claimed the board and let it go in between bumped its epoch, and then the
-- node's commits are refused by PostgreSQL.
local function lease_renew_many(_, a)
  local out = {}
  for i = 5, #a do
    local renewed = lease_renew(nil, { a[1], a[i], a[2], a[3] })
    if renewed == 0 and a[4] == '1'
      and redis.call('SET', bkey(a[1], a[i], 'owner'), a[2], 'NX', 'PX', a[3]) then
      renewed = 1
    end
    out[#out + 1] = renewed
  end
  return out
end

-- prefix, board, me → 1 when released, 0 when it was not ours.
local function lease_release(_, a)
  local key = bkey(a[1], a[2], 'owner')
  if redis.call('GET', key) ~= a[3] then
    return 0
  end
  return redis.call('DEL', key)
end

-- prefix, runId, newGen, observedGen ('' unless forcing), staleMs → JSON {r = 'won'|'current'}.
-- Starts a new generation when Redis is not the one the current generation was built on
-- (restart, failover, wipe), when a rebuild stalled, or when the journal caught this
-- generation going backwards (observedGen names it). Generations only grow.
local function gen_begin(_, a)
  local P, run_id, new_gen, observed = a[1], a[2], tonumber(a[3]), a[4]
  local now = now_ms()
  local g = redis.call('HMGET', P .. 'gen', 'runId', 'gen', 'state', 'since')
  local stale = g[3] == 'rebuilding' and now - tonumber(g[4]) > tonumber(a[5])
  if g[1] == run_id and not stale and (observed == '' or observed ~= g[2]) then
    return cjson.encode({ r = 'current', gen = g[2], state = g[3] })
  end
  if g[2] and new_gen <= tonumber(g[2]) then
    return redis.error_reply('ERR generation ' .. a[3] .. ' is not above ' .. g[2])
  end
  redis.call('HSET', P .. 'gen', 'runId', run_id, 'gen', a[3], 'state', 'rebuilding', 'since', int(now))
  return cjson.encode({ r = 'won', gen = a[3] })
end

-- prefix, gen, JSON {locks, waiters, sessions, graceMs}: restores journaled state into a
-- generation being rebuilt. Restored sessions get a grace deadline (never shortened), so
-- their clients can come back before the reaper frees what they held (§ Generations).
local function gen_restore(_, a)
  local P = a[1]
  local g = redis.call('HMGET', P .. 'gen', 'gen', 'state')
  if g[1] ~= a[2] or g[2] ~= 'rebuilding' then
    return 0
  end
  local C = { P = P, now = now_ms(), gen = tonumber(a[2]), changes = {}, touched = {} }
  local data = cjson.decode(a[3])
  for _, rec in ipairs(data.locks) do
    local board, entity = split_key(rec.k)
    store_lock(C, board, entity, rec)
    if rec.s ~= '' then
      redis.call('SADD', skey(P, rec.s, ':locks'), rec.k)
    end
    C.touched[board] = true
  end
  for _, item in ipairs(data.waiters) do
    local board, entity = split_key(item.key)
    local w = item.waiter
    redis.call('ZADD', qkey(P, board, entity), w.t, w.m)
    redis.call('HSET', bkey(P, board, 'qinfo'), waiter_info_key(entity, w.m), cjson.encode(w))
    if w.s ~= '' then
      redis.call('SADD', skey(P, w.s, ':waits'), item.key)
    end
    C.touched[board] = true
  end
  local until_ms = C.now + tonumber(data.graceMs)
  for _, s in ipairs(data.sessions) do
    local deadline = redis.call('ZSCORE', P .. 'sessdeadline', s.id)
    if not deadline or tonumber(deadline) < until_ms then
      redis.call('ZADD', P .. 'sessdeadline', int(until_ms), s.id)
    end
    if redis.call('HSETNX', skey(P, s.id), 'userId', s.userId) == 1 then
      redis.call('HSET', skey(P, s.id), 'name', s.name, 'nodeId', '', 'state', 'grace')
    end
  end
  for board in pairs(C.touched) do
    redis.call('INCR', bkey(P, board, 'lockver'))
  end
  return 1
end

-- prefix, gen → 1 when this generation is now ready, 0 when another has replaced it.
local function gen_ready(_, a)
  local g = redis.call('HMGET', a[1] .. 'gen', 'gen', 'state')
  if g[1] ~= a[2] or g[2] ~= 'rebuilding' then
    return 0
  end
  redis.call('HSET', a[1] .. 'gen', 'state', 'ready')
  return 1
end

redis.register_function('session_touch', session_touch)
redis.register_function('session_detach', session_detach)
redis.register_function({ function_name = 'session_info', callback = session_info, flags = { 'no-writes' } })
redis.register_function('node_refresh', node_refresh)
redis.register_function('lease_claim', lease_claim)
redis.register_function('lease_renew', lease_renew)
redis.register_function('lease_renew_many', lease_renew_many)
redis.register_function('lease_release', lease_release)
redis.register_function('gen_begin', gen_begin)
redis.register_function('gen_restore', gen_restore)
redis.register_function('gen_ready', gen_ready)
