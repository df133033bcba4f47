"""MariaDB servers of the tests' own: a primary with binary logging and a replica following it.

Each is a ``mariadbd`` started from a data directory made by ``mariadb-install-db`` under a
temporary folder, listening on a free loopback port; the bench's MariaDB is left as it is. The
replica starts as a copy of the primary's data directory (made while the primary is stopped, after
the site's database was loaded), so that replication starts from the primary's first binary log
instead of replaying the load.
"""

import getpass
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pymysql

#: Seconds a server has to start, or a replica to catch up.
WAIT = 60
ROOT_PASSWORD = "root"
REPLICATION_USER, REPLICATION_PASSWORD = "replicator", "replicator"
#: MariaDB's "access denied": the server answers.
ACCESS_DENIED = 1045


def installed() -> str | None:
	"""Why no server of the tests' own can be made here, or None when one can."""
	for program in ("mariadbd", "mariadb-install-db"):
		if not shutil.which(program) and not Path(f"/usr/sbin/{program}").exists():
			return f"{program} is not installed"
	for client in (("mariadb", "mysql"), ("mariadb-dump", "mysqldump")):
		if not any(shutil.which(name) for name in client):
			return f"{client[0]} is not installed"
	return None


def _program(name: str) -> str:
	return shutil.which(name) or f"/usr/sbin/{name}"


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


class Server:
	"""One ``mariadbd`` of the tests' own."""

	def __init__(self, datadir: Path, server_id: int, replica: bool = False):
		self.datadir = datadir
		self.server_id = server_id
		self.replica = replica
		self.port = free_port()
		self.process: subprocess.Popen | None = None

	@classmethod
	def installed_in(cls, datadir: Path, server_id: int) -> "Server":
		subprocess.run(
			[
				_program("mariadb-install-db"),
				"--no-defaults",
				f"--datadir={datadir}",
				f"--user={getpass.getuser()}",
				"--auth-root-authentication-method=normal",
				"--skip-test-db",
			],
			check=True,
			capture_output=True,
		)
		return cls(datadir, server_id)

	def start(self, binary_log: bool = False) -> None:
		args = [
			_program("mariadbd"),
			"--no-defaults",
			f"--datadir={self.datadir}",
			f"--port={self.port}",
			"--bind-address=127.0.0.1",
			f"--socket={self.datadir}/mariadb.sock",
			f"--pid-file={self.datadir}/mariadb.pid",
			f"--log-error={self.datadir}/error.log",
			f"--user={getpass.getuser()}",
			f"--server-id={self.server_id}",
			"--skip-name-resolve",
			"--character-set-server=utf8mb4",
			"--collation-server=utf8mb4_unicode_ci",
			"--character-set-client-handshake=FALSE",
			# a test's server: small and quick, durability traded for speed
			"--innodb-buffer-pool-size=128M",
			"--innodb-log-file-size=64M",
			"--innodb-flush-log-at-trx-commit=2",
			"--innodb-doublewrite=0",
			"--sync-binlog=0",
			"--max-connections=200",
		]
		if binary_log:
			args += [f"--log-bin={self.datadir}/binlog", "--binlog-format=ROW"]
		if self.replica:
			# the site's user may not write here: a write meant for the primary fails instead of
			# going where replication would not carry it
			args += ["--read-only=1", f"--relay-log={self.datadir}/relay", "--skip-slave-start"]
		self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
		deadline = time.monotonic() + WAIT
		while True:
			try:
				pymysql.connect(unix_socket=f"{self.datadir}/mariadb.sock", user="nobody").close()
			except pymysql.err.OperationalError as e:
				if e.args[0] == ACCESS_DENIED:
					return  # it answers
				if self.process.poll() is not None or time.monotonic() > deadline:
					log = (self.datadir / "error.log").read_text(errors="replace")[-3000:]
					raise RuntimeError(f"mariadbd on port {self.port} did not start:\n{log}") from None
				time.sleep(0.2)

	def connect(self, **kwargs) -> pymysql.Connection:
		return pymysql.connect(
			host="127.0.0.1", port=self.port, user="root", password=ROOT_PASSWORD, autocommit=True, **kwargs
		)

	def sql(self, statement: str, args=None) -> list[tuple]:
		with self.connect() as connection, connection.cursor() as cursor:
			cursor.execute(statement, args)
			return list(cursor.fetchall())

	def stop(self) -> None:
		if self.process and self.process.poll() is None:
			self.process.terminate()
			try:
				self.process.wait(WAIT)
			except subprocess.TimeoutExpired:
				self.process.kill()
				self.process.wait()
		self.process = None


def set_root_password(server: Server) -> None:
	"""A fresh server's root has no password; the tests' servers have one."""
	socket_path = f"{server.datadir}/mariadb.sock"
	with pymysql.connect(unix_socket=socket_path, user="root", autocommit=True) as connection:
		with connection.cursor() as cursor:
			for host in ("127.0.0.1", "localhost"):
				cursor.execute(f"CREATE USER IF NOT EXISTS 'root'@'{host}'")
				cursor.execute(f"ALTER USER 'root'@'{host}' IDENTIFIED BY '{ROOT_PASSWORD}'")
				cursor.execute(f"GRANT ALL PRIVILEGES ON *.* TO 'root'@'{host}' WITH GRANT OPTION")


def load(server: Server, database: str, user: str, password: str, dump: Path) -> None:
	"""``database`` from ``dump`` (a mariadb-dump), with ``user`` owning it as Frappe makes a site's user."""
	server.sql(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	for host in ("localhost", "127.0.0.1"):
		server.sql(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY %s", (password,))
		server.sql(f"GRANT ALL PRIVILEGES ON `{database}`.* TO '{user}'@'{host}'")
	with dump.open("rb") as source:
		subprocess.run(
			[
				shutil.which("mariadb") or "mysql",
				"--no-defaults",
				"-h127.0.0.1",
				f"-P{server.port}",
				"-uroot",
				f"-p{ROOT_PASSWORD}",
				database,
			],
			stdin=source,
			check=True,
			capture_output=True,
		)


class Replication:
	"""A primary and a replica of it, both holding ``database`` loaded from ``dump``."""

	def __init__(self, root: Path):
		self.root = root
		self.primary: Server | None = None
		self.replica: Server | None = None

	def start(self, database: str, user: str, password: str, dump: Path) -> None:
		primary = Server.installed_in(self.root / "primary", 1)
		self.primary = primary
		primary.start()
		set_root_password(primary)
		primary.sql(f"CREATE USER '{REPLICATION_USER}'@'%' IDENTIFIED BY '{REPLICATION_PASSWORD}'")
		primary.sql(f"GRANT REPLICATION SLAVE ON *.* TO '{REPLICATION_USER}'@'%'")
		load(primary, database, user, password, dump)
		primary.stop()
		# the replica: the primary's data as it is now, then whatever the primary logs from here
		shutil.copytree(primary.datadir, self.root / "replica", symlinks=True)
		self.replica = Server(self.root / "replica", 2, replica=True)
		primary.start(binary_log=True)
		self.replica.start()
		log_file, position = primary.sql("SHOW MASTER STATUS")[0][:2]
		self.replica.sql(
			"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%s, MASTER_USER=%s, "
			"MASTER_PASSWORD=%s, MASTER_LOG_FILE=%s, MASTER_LOG_POS=%s",
			(primary.port, REPLICATION_USER, REPLICATION_PASSWORD, log_file, position),
		)
		self.replica.sql("START SLAVE")
		self.wait_until_caught_up()

	def stop_applying(self) -> None:
		"""The replica keeps receiving the primary's changes but applies none (it lags)."""
		self.replica.sql("STOP SLAVE SQL_THREAD")

	def resume_applying(self) -> None:
		self.replica.sql("START SLAVE SQL_THREAD")

	def wait_until_caught_up(self) -> None:
		"""Until the replica has applied everything the primary has logged so far."""
		log_file, position = self.primary.sql("SHOW MASTER STATUS")[0][:2]
		waited = self.replica.sql("SELECT MASTER_POS_WAIT(%s, %s, %s)", (log_file, position, WAIT))[0][0]
		if waited is None or waited < 0:
			status = self.replica.connect(cursorclass=pymysql.cursors.DictCursor)
			with status, status.cursor() as cursor:
				cursor.execute("SHOW SLAVE STATUS")
				row = cursor.fetchone() or {}
			raise RuntimeError(
				f"the replica did not catch up: IO {row.get('Slave_IO_Running')}, SQL "
				f"{row.get('Slave_SQL_Running')}, {row.get('Last_Error') or row.get('Last_IO_Error')}"
			)

	def stop(self) -> None:
		for server in (self.replica, self.primary):
			if server:
				server.stop()
