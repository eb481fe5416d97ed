"""Compares two record_proxy.py logs of the same scenario (e.g. real mlflow vs Cairn), per /__mark__
section: request sequence (method, path with ids normalised, status) and the top-level keys of each
JSON response. Prints only sections that differ. Parallel artifact downloads may reorder lines.

Usage: python compare_wire.py mlflow.jsonl cairn.jsonl
"""

import difflib
import json
import re
import sys
def norm(p):
    p=re.sub(r'm-[0-9a-f]{32}','<mid>',p); p=re.sub(r'[0-9a-f]{32}','<id>',p)
    p=re.sub(r'/artifacts/\d+/','/artifacts/<e>/',p); p=re.sub(r'create/\d+/','create/<e>/',p); p=re.sub(r'path=\d+/','path=<e>/',p)
    return p
def keys(b):
    if isinstance(b,dict) and not any(k.startswith('_') for k in b): 
        return sorted(b.keys())
    return None
def load(f):
    out={}; cur=None; order=[]
    for l in open(f):
        e=json.loads(l)
        if 'mark' in e: cur=e['mark']; out.setdefault(cur,[]); order.append(cur); continue
        q='&'.join(f'{k}={v}' for k,v in e['query'] if k not in ('page_token',))
        out[cur].append((e['method'], norm(e['path']+('?'+q if q else '')), e['status'], keys(e['resp_body']), e['resp_headers'].get('content-type')))
    return out, order
a,order=load(sys.argv[1]); b,_=load(sys.argv[2])
for m in order:
    A=a.get(m,[]); B=b.get(m,[])
    if [x[:3] for x in A]==[x[:3] for x in B] and all(x[3]==y[3] for x,y in zip(A,B)): continue
    print('##',m)
    for l in difflib.unified_diff([str(x[:4]) for x in A],[str(x[:4]) for x in B],lineterm='',n=0):
        if l.startswith(('---','+++')): continue
        print('  ',l[:300])
