#!/usr/bin/env python3
"""Which HTTP client downloads a 512 MiB blob fastest from a local Distribution registry (MB/s, 3 runs)."""
import hashlib, os, subprocess, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tests.support.registry import start_registry
reg = start_registry()
size = 512*1024*1024
path = "/tmp/blob512"
if not os.path.exists(path):
    with open(path, "wb") as f:
        for _ in range(512): f.write(os.urandom(1<<20))
h = hashlib.sha256()
with open(path,"rb") as f:
    while b := f.read(1<<20): h.update(b)
dg = "sha256:" + h.hexdigest()
base = f"http://{reg.host}/v2/bench/blobs"
# upload with curl
loc = subprocess.run(["curl","-s","-D-","-o/dev/null","-XPOST",f"{base}/uploads/"],capture_output=True,text=True).stdout
location = [l.split(": ",1)[1].strip() for l in loc.splitlines() if l.lower().startswith("location")][0]
sep = "&" if "?" in location else "?"
t=time.time(); subprocess.run(["curl","-s","-XPUT","-H","Content-Type: application/octet-stream","--data-binary",f"@{path}",f"{location}{sep}digest={dg}"],check=True); print("curl upload", size/(time.time()-t)/1e6)
url = f"{base}/{dg}"
def curl():
    t=time.time(); subprocess.run(["curl","-s","-o","/tmp/out","-L",url],check=True); return size/(time.time()-t)/1e6
def hx():
    import httpx
    with httpx.Client() as c:
        t=time.time()
        with c.stream("GET", url, follow_redirects=True) as r, open("/tmp/out","wb") as f:
            for chunk in r.iter_raw(): f.write(chunk)
        return size/(time.time()-t)/1e6
def hx1m():
    import httpx
    with httpx.Client() as c:
        t=time.time()
        with c.stream("GET", url, follow_redirects=True) as r, open("/tmp/out","wb") as f:
            for chunk in r.iter_raw(1<<20): f.write(chunk)
        return size/(time.time()-t)/1e6
def u3():
    import urllib3
    pm = urllib3.PoolManager()
    t=time.time()
    r = pm.request("GET", url, preload_content=False, decode_content=False)
    with open("/tmp/out","wb") as f:
        while True:
            b = r.read(1<<20)
            if not b: break
            f.write(b)
    return size/(time.time()-t)/1e6
def u3h():
    import urllib3
    pm = urllib3.PoolManager()
    t=time.time(); hh=hashlib.sha256()
    r = pm.request("GET", url, preload_content=False, decode_content=False)
    with open("/tmp/out","wb") as f:
        while True:
            b = r.read(1<<20)
            if not b: break
            hh.update(b); f.write(b)
    return size/(time.time()-t)/1e6
for name, fn in [("curl",curl),("httpx64k",hx),("httpx1m",hx1m),("urllib3",u3),("urllib3+sha",u3h)]:
    print(name, sorted(fn() for _ in range(3)))
reg.stop()
