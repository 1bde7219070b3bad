"""A component as users write them for a PostgreSQL workspace: runs the statements of parameters.sql with psql,
logged in with authorization.workspace, in the workspace's schema. psql's error (exit 1) is the component's."""
import json
import os
import subprocess
import sys

D = os.environ['KBC_DATADIR']
config = json.load(open(os.path.join(D, 'config.json')))
w = config['authorization']['workspace']
if w['backend'] != 'postgresql':
    sys.exit('Not a PostgreSQL workspace: ' + w['backend'])
script = 'SET search_path TO "%s";\n' % w['schema'] + ';\n'.join(config['parameters']['sql']) + ';\n'
env = dict(os.environ, PGPASSWORD=w['password'], PGCONNECT_TIMEOUT='10')
done = subprocess.run(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', w['host'], '-p', str(w['port']),
                       '-U', w['user'], '-d', w['database'], '-f', '-'], input=script.encode(), env=env)
sys.exit(1 if done.returncode != 0 else 0)
