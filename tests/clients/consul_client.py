"""A Python Consul client (python-consul from Debian, or py-consul from PyPI: both import as
`consul`) against an sd agent: sessions, KV locks with LockIndex, renew, destroy, events, a
blocking read and prepared queries. Exits non-zero on the first mismatch. Usage: consul_client.py HTTP_PORT"""
import sys, time, consul
port = int(sys.argv[1])
c = consul.Consul(port=port)
sid = c.session.create(name='py', lock_delay=1, ttl=10, behavior='release')
assert c.kv.put('py/lock', 'v', acquire=sid) is True
idx, data = c.kv.get('py/lock')
assert data['Session'] == sid and data['LockIndex'] == 1, data
other = c.session.create(name='other', lock_delay=0)
assert c.kv.put('py/lock', 'x', acquire=other) is False
idx, s = c.session.info(sid)
assert s['Name'] == 'py' and s['TTL'] == '10s' and s['LockDelay'] == 1000000000, s
idx, lst = c.session.list()
assert len(lst) == 2
idx, node_sessions = c.session.node(s['Node'])
assert len(node_sessions) == 2
r = c.session.renew(sid)
assert r['ID'] == sid, r
assert c.kv.put('py/lock', 'v2', release=sid) is True
assert c.kv.put('py/lock', 'v3', acquire=other) is True
assert c.session.destroy(other) is True
idx, data = c.kv.get('py/lock')
assert data.get('Session') is None, data
# events
assert c.event.fire('deploy', 'payload')
for _ in range(50):
    idx, evs = c.event.list(name='deploy')
    if evs: break
    time.sleep(0.1)
assert evs and evs[0]['Name'] == 'deploy', evs
# blocking kv get returns on change
idx, _ = c.kv.get('py/lock')
c.kv.put('py/lock', 'v4')
idx2, d = c.kv.get('py/lock', index=idx, wait='5s')
assert int(idx2) > int(idx)
# prepared queries (the client sends every query as a name_prefix_match template)
c.agent.service.register('pyq', service_id='pyq1', port=1234, tags=['a'])
qid = c.query.create('pyq', name='pyq-query', tags=['a'], ttl='7s')['ID']
for _ in range(50):
    r = c.query.execute('pyq-query')
    if r['Nodes']: break
    time.sleep(0.1)
assert r['Service'] == 'pyq' and r['DNS']['TTL'] == '7s', r
assert [n['Service']['ID'] for n in r['Nodes']] == ['pyq1'], r
q = c.query.get(qid)
assert q[0]['Name'] == 'pyq-query' and q[0]['Service']['Tags'] == ['a'], q
assert [x['ID'] for x in c.query.list()] == [qid]
c.query.update(qid, service='pyq', name='pyq-renamed')
assert c.query.explain('pyq-renamed')['Query']['Service']['Service'] == 'pyq'
c.query.delete(qid)
assert c.query.list() == []
print("python-consul ok")
