"""A site served by the tests' development server (``tests/browser/serve.py``) on a free loopback port,
with this checkout's code (the ``PYTHONPATH`` the tests run with), stopped when done."""

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.scaleout.mariadb import free_port

SERVE = Path(__file__).resolve().parents[1] / "browser" / "serve.py"
#: Seconds a server has to answer its first ping.
WAIT = 60


class Served:
	"""One served process of ``site``; ``url`` is its address."""

	def __init__(self, site: str, sites_path: str = "."):
		self.site = site
		self.port = free_port()
		self.url = f"http://127.0.0.1:{self.port}"
		repo = str(SERVE.parents[2])
		path = os.environ.get("PYTHONPATH", "")
		env = {**os.environ, "PYTHONPATH": repo + (f":{path}" if path else "")}
		self.log = open(Path(sites_path) / site / "logs" / f"served-{self.port}.log", "wb")
		self.process = subprocess.Popen(
			[sys.executable, str(SERVE), site, str(self.port)],
			cwd=sites_path,
			env=env,
			stdout=self.log,
			stderr=subprocess.STDOUT,
		)
		deadline = time.monotonic() + WAIT
		while True:
			try:
				if requests.get(f"{self.url}/api/method/ping", timeout=2).ok:
					return
			except requests.RequestException:
				pass
			if self.process.poll() is not None or time.monotonic() > deadline:
				self.stop()
				raise RuntimeError(f"{site} served on port {self.port} did not answer")
			time.sleep(0.3)

	def stop(self) -> None:
		if self.process.poll() is None:
			self.process.terminate()
			try:
				self.process.wait(30)
			except subprocess.TimeoutExpired:
				self.process.kill()
				self.process.wait()
		self.log.close()
