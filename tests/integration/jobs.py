"""Background jobs and realtime messages as Frappe's worker and socket server meet them: a queued
job taken out of its queue and run here as the worker runs it, and the messages the site publishes.
"""

import json

import frappe


def queued_job(job_id: str):
	"""The job a request queued (by its RQ id, the site's name first), taken out of its queue as a
	worker takes it."""
	from rq.job import Job

	from frappe.utils.background_jobs import get_queue

	job = Job.fetch(job_id, connection=frappe.utils.background_jobs.get_redis_conn())
	get_queue("long").remove(job)
	return job


def run_as_a_worker(job) -> None:
	"""Run a queued job here as Frappe's worker runs it (frappe.utils.background_jobs.execute_job:
	its method as its user, then its commit), in this process and site; then remove it from Redis,
	and act as Administrator again, not as a worker."""
	from frappe.utils.background_jobs import execute_job

	try:
		execute_job(**{**job.kwargs, "is_async": False})
	finally:
		job.delete()
		# This process is no worker: what the job set up for itself goes with it.
		frappe.local.job = None
		frappe.set_user("Administrator")


class Published:
	"""The realtime messages Frappe publishes for this site (its ``events`` channel in Redis, which
	every site of the bench shares) while in use."""

	def __enter__(self):
		from frappe.utils.background_jobs import get_redis_connection_without_auth

		self.pubsub = get_redis_connection_without_auth().pubsub(ignore_subscribe_messages=True)
		self.pubsub.subscribe("events")
		return self

	def messages(self) -> list[dict]:
		found, quiet = [], 0
		while quiet < 3:
			message = self.pubsub.get_message(timeout=0.2)
			if message is None:
				quiet += 1
				continue
			published = json.loads(message["data"])
			if published.get("namespace") == frappe.local.site:
				found.append(published)
		return found

	def __exit__(self, *exc):
		self.pubsub.close()
