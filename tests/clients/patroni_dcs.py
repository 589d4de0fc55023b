"""Patroni's own Consul DCS (Debian's patroni package) against an sd agent: two members
contend for the leader key through sessions, publish themselves, read the cluster and hand
leadership over. Exits non-zero on the first mismatch. Usage: patroni_dcs.py HTTP_PORT"""
import sys, time
from patroni.dcs.consul import Consul
port = int(sys.argv[1])
def dcs(name):
    return Consul({'host': '127.0.0.1:%d' % port, 'scope': 'batman', 'name': name,
                   'namespace': '/service/', 'ttl': 30, 'loop_wait': 10, 'retry_timeout': 10})
a, b = dcs('pg1'), dcs('pg2')
assert a.attempt_to_acquire_leader() is True
assert b.attempt_to_acquire_leader() is False
assert a.touch_member({'conn_url': 'postgres://a', 'api_url': 'http://a/patroni', 'state': 'running', 'role': 'master'})
cluster = b.get_cluster()
assert cluster.leader.name == 'pg1', cluster.leader
assert any(m.name == 'pg1' for m in cluster.members), cluster.members
a.get_cluster()
assert a.update_leader(None) is not False
assert a.delete_leader() is not False
assert b.attempt_to_acquire_leader() is True
cluster = a.get_cluster()
assert cluster.leader.name == 'pg2', cluster.leader
print("patroni consul DCS ok")
