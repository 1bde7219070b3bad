"""A component as users write them: reads its input table from in/tables, locally (a CSV) or on S3 staging
(the manifest's s3 section: a gzipped, sliced export and credentials for it), and writes out/tables/result.csv
with every name in capitals. Only the manifest and the environment tell it where the data is."""
import csv
import gzip
import io
import json
import os

import boto3

D = os.environ['KBC_DATADIR']


def read_table(name):
    """(columns, rows) of in/tables/<name>, wherever the staging left it."""
    manifest = json.load(open(os.path.join(D, 'in', 'tables', name + '.manifest')))
    if 's3' not in manifest:
        with open(os.path.join(D, 'in', 'tables', name), newline='') as f:
            lines = list(csv.reader(f))
        return lines[0], lines[1:]
    s3 = manifest['s3']
    creds = s3['credentials']
    options = {}
    if tuple(int(p) for p in boto3.__version__.split('.')[:2]) < (1, 28):
        # boto3 1.28+ finds the endpoint in AWS_ENDPOINT_URL_S3 itself; older ones (Debian 12's 1.26) must be told
        options['endpoint_url'] = os.environ.get('AWS_ENDPOINT_URL_S3')
    client = boto3.client('s3', region_name=s3['region'], aws_access_key_id=creds['access_key_id'],
                          aws_secret_access_key=creds['secret_access_key'], aws_session_token=creds['session_token'],
                          **options)
    keys = [s3['key']]
    if s3['isSliced']:
        listing = json.loads(client.get_object(Bucket=s3['bucket'], Key=s3['key'])['Body'].read())
        keys = [entry['url'].split('/', 3)[3] for entry in listing['entries']]
    rows = []
    for key in keys:
        body = gzip.decompress(client.get_object(Bucket=s3['bucket'], Key=key)['Body'].read())
        rows.extend(csv.reader(io.StringIO(body.decode('utf-8'), newline='')))
    return manifest['columns'], rows  # slices carry no header: the manifest names the columns


config = json.load(open(os.path.join(D, 'config.json')))
source = config['storage']['input']['tables'][0]['destination']
columns, rows = read_table(source)
name = columns.index('name')
with open(os.path.join(D, 'out', 'tables', 'result.csv'), 'w', newline='') as f:
    out = csv.writer(f, lineterminator='\n')
    out.writerow(columns + ['shout'])
    for row in rows:
        out.writerow(row + [row[name].upper()])
with open(os.path.join(D, 'seen.json'), 'w') as f:
    json.dump({'files': sorted(os.listdir(os.path.join(D, 'in', 'tables'))),
               'in_files': sorted(os.listdir(os.path.join(D, 'in', 'files'))),
               'AWS_ENDPOINT_URL_S3': os.environ.get('AWS_ENDPOINT_URL_S3'),
               'AWS_ENDPOINT_URL': os.environ.get('AWS_ENDPOINT_URL'), 'rows': len(rows)}, f)
