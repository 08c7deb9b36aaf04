-- The lock operations of docs/locks.md as Redis functions: each runs atomically, so of
-- simultaneous requests from any number of nodes exactly one wins (L1). Arguments are strings;
-- the first is always the key prefix, '' stands for "none". Replies are JSON with the changes
-- made (see lock-core.lua); refusals are replies too, never errors, so the caller journals and
-- reports what expiry or queue serving did on the way.

-- prefix, board, entity, userId, userName, sessionId, ttlMs, wait ('1'/'0'), requestId
local function lock_acquire(_, a)
  local P, board, entity, uid, sid, ttl, rid = a[1], a[2], a[3], a[4], a[6], tonumber(a[7]), a[9]
  local user = { id = uid, name = a[5] }
  -- A retry after a lost reply gets the first answer (L7); request ids are the client's.
  -- A grant that is still held is handed back as a replay: the node that lost the reply may
  -- never have journaled it, and journaling it again is harmless (the journal accepts replays).
  local req = rid ~= '' and (P .. 'req:' .. enc(uid) .. ':' .. enc(sid) .. ':' .. enc(rid))
  if req then
    local cached = redis.call('GET', req)
    if cached then
      local first = cjson.decode(cached)
      local raw = first.r == 'lock' and redis.call('HGET', bkey(P, board, 'locks'), entity)
      local rec = raw and cjson.decode(raw)
      first.changes = {}
      if rec and rec.t == first.lock.t then
        first.changes = { { k = 'granted', lock = rec, fromQueue = false, replay = true } }
      end
      return cjson.encode(first)
    end
  end
  local C = context(P)
  if not C then
    return nogen()
  end
  if sid ~= '' then
    local owner = redis.call('HGET', skey(P, sid), 'userId')
    if owner ~= uid or not session_alive(C, sid) then
      return finish(C, { r = 'nosession' })
    end
  end
  local rec = current(C, board, entity)
  local reply
  if not rec then
    reply = { r = 'lock', lock = grant(C, board, entity, user, sid, ttl, rid, false) }
  elseif rec.h.id == uid and (rec.s == '' or rec.s == sid) then
    reply = { r = 'lock', lock = extend(C, board, entity, rec, ttl) }
  elseif a[8] == '1' then
    local q = qkey(P, board, entity)
    local member = sid ~= '' and ('s:' .. sid) or ('u:' .. uid)
    local rank = redis.call('ZRANK', q, member)
    if not rank then
      local ticket = int(C.gen * TWO32 + redis.call('INCR', bkey(P, board, 'ticket')))
      local w = { u = user, s = sid, l = int(ttl), r = rid, q = int(C.now), t = ticket, m = member }
      redis.call('ZADD', q, ticket, member)
      redis.call('HSET', bkey(P, board, 'qinfo'), waiter_info_key(entity, member), cjson.encode(w))
      if sid ~= '' then
        redis.call('SADD', skey(P, sid, ':waits'), rec.k)
      end
      rank = redis.call('ZRANK', q, member)
      change(C, board, { k = 'queued', key = rec.k, waiter = w, holder = rec.h, position = rank + 1 })
    end
    reply = { r = 'queued', position = rank + 1, lock = rec }
  else
    change(C, board, { k = 'refused', key = rec.k, who = user, holder = rec.h })
    return finish(C, { r = 'locked', lock = rec, queueLength = queue_length(C, board, entity) })
  end
  if req then
    local first = { r = reply.r, lock = reply.lock, position = reply.position, now = int(C.now) }
    redis.call('SET', req, cjson.encode(first), 'PX', 600000)
  end
  return finish(C, reply)
end

-- prefix, board, entity, userId, userName, sessionId
local function lock_release(_, a)
  local C = context(a[1])
  if not C then
    return nogen()
  end
  local rec = current(C, a[2], a[3])
  if not rec or not is_holder(rec, a[4], a[6]) then
    return finish(C, { r = 'not_holder', lock = rec })
  end
  drop(C, a[2], a[3], rec, 'released', { id = a[4], name = a[5] })
  return finish(C, { r = 'ok', lock = rec })
end

-- prefix, board, entity, userId, sessionId, ttlMs ('' keeps the lock's own TTL)
local function lock_renew(_, a)
  local C = context(a[1])
  if not C then
    return nogen()
  end
  local rec = current(C, a[2], a[3])
  if not rec or not is_holder(rec, a[4], a[5]) then
    return finish(C, { r = 'not_holder', lock = rec })
  end
  local ttl = a[6] ~= '' and tonumber(a[6]) or tonumber(rec.l)
  return finish(C, { r = 'ok', lock = extend(C, a[2], a[3], rec, ttl) })
end

-- prefix, board, entity, byId, byName: an owner takes the lock away (L9).
local function lock_force_release(_, a)
  local C = context(a[1])
  if not C then
    return nogen()
  end
  local rec = current(C, a[2], a[3])
  if not rec then
    return finish(C, { r = 'not_holder' })
  end
  drop(C, a[2], a[3], rec, 'forced', { id = a[4], name = a[5] })
  return finish(C, { r = 'ok', lock = rec })
end

-- prefix, board, entity, token: takes back a grant that could not be journaled (the client
-- was never told), with its cached reply, so a retry asks again.
local function lock_revoke(_, a)
  local C = context(a[1])
  if not C then
    return nogen()
  end
  local raw = redis.call('HGET', bkey(C.P, a[2], 'locks'), a[3])
  local rec = raw and cjson.decode(raw)
  if not rec or rec.t ~= a[4] then
    return finish(C, { r = 'gone' })
  end
  if rec.r ~= '' then
    redis.call('DEL', C.P .. 'req:' .. enc(rec.h.id) .. ':' .. enc(rec.s) .. ':' .. enc(rec.r))
  end
  drop(C, a[2], a[3], rec, 'revoked', rec.h)
  return finish(C, { r = 'ok' })
end

-- prefix, board, entity, userId, sessionId: leaves a queue. Without a session, the user's
-- first place in it (as on one node).
local function lock_cancel(_, a)
  local P, board, entity, uid, sid = a[1], a[2], a[3], a[4], a[5]
  local C = context(P)
  if not C then
    return nogen()
  end
  local members = sid ~= '' and { 's:' .. sid } or redis.call('ZRANGE', qkey(P, board, entity), 0, -1)
  for _, member in ipairs(members) do
    local w = waiter(C, board, entity, member)
    if w and w.u.id == uid then
      remove_waiter(C, board, entity, member, w, 'cancelled')
      return finish(C, { r = 'ok' })
    end
  end
  return finish(C, { r = 'not_queued' })
end

-- prefix, sessionId: the session ended; its locks go and waiters are served (L5).
local function lock_release_session(_, a)
  local C = context(a[1])
  if not C then
    return nogen()
  end
  release_session(C, a[2], 'session')
  return finish(C, { r = 'ok' })
end

-- prefix, userId, byId, byName, board...: a member lost the right to edit these boards (L12).
-- Their places in queues go first, so releasing their locks never serves them again.
local function lock_release_member(_, a)
  local C = context(a[1])
  if not C then
    return nogen()
  end
  local uid, by = a[2], { id = a[3], name = a[4] }
  for i = 5, #a do
    local board = a[i]
    local info = redis.call('HGETALL', bkey(C.P, board, 'qinfo'))
    for j = 1, #info, 2 do
      local w = cjson.decode(info[j + 1])
      if w.u.id == uid then
        local entity = string.sub(info[j], 1, #info[j] - #w.m - 1)
        remove_waiter(C, board, entity, w.m, w, 'membership')
      end
    end
    local held = redis.call('HGETALL', bkey(C.P, board, 'locks'))
    for j = 1, #held, 2 do
      local rec = cjson.decode(held[j + 1])
      if rec.h.id == uid then
        drop(C, board, held[j], rec, 'membership', by)
      end
    end
  end
  return finish(C, { r = 'ok' })
end

-- prefix, limit: ends sessions whose deadline passed and expires locks whose TTL ran out,
-- at most `limit` of each per call, so a backlog drains in short slices.
local function lock_reap(_, a)
  local C = context(a[1])
  if not C then
    return nogen()
  end
  local limit = tonumber(a[2])
  local dead = redis.call('ZRANGEBYSCORE', C.P .. 'sessdeadline', '-inf', C.now, 'LIMIT', 0, limit)
  for _, sid in ipairs(dead) do
    release_session(C, sid, 'session')
  end
  local due = redis.call('ZRANGEBYSCORE', C.P .. 'lockexp', '-inf', C.now, 'LIMIT', 0, limit)
  for _, key in ipairs(due) do
    local board, entity = split_key(key)
    if redis.call('HEXISTS', bkey(C.P, board, 'locks'), entity) == 1 then
      current(C, board, entity)
    else
      redis.call('ZREM', C.P .. 'lockexp', key)
    end
  end
  return finish(C, { r = 'ok', more = #dead == limit or #due == limit })
end

-- prefix, board: the board's live locks (expired ones left out until the reaper takes them).
local function lock_list(_, a)
  local now = now_ms()
  local locks = {}
  local held = redis.call('HGETALL', bkey(a[1], a[2], 'locks'))
  for j = 2, #held, 2 do
    local rec = cjson.decode(held[j])
    if tonumber(rec.e) > now then
      table.insert(locks, rec)
    end
  end
  local version = redis.call('GET', bkey(a[1], a[2], 'lockver')) or '0'
  return cjson.encode({ locks = locks, now = int(now), version = version })
end

redis.register_function('lock_acquire', lock_acquire)
redis.register_function('lock_release', lock_release)
redis.register_function('lock_renew', lock_renew)
redis.register_function('lock_force_release', lock_force_release)
redis.register_function('lock_revoke', lock_revoke)
redis.register_function('lock_cancel', lock_cancel)
redis.register_function('lock_release_session', lock_release_session)
redis.register_function('lock_release_member', lock_release_member)
redis.register_function('lock_reap', lock_reap)
redis.register_function({ function_name = 'lock_list', callback = lock_list, flags = { 'no-writes' } })
