// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The metrics endpoint on libmicrohttpd, in the event loop. See httpd.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include <poll.h>
#include <netinet/in.h>

#include "httpd.h"
#include "log.h"
#include "loop.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct bvh {
	struct MHD_Daemon *mhd;
	int epfd;
	long timer;
	bvh_render_fn render;
	void *data;
	unsigned long long requests;
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	bvd_debug("metrics: %s", msg);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     char *body, size_t len, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *conn, unsigned int status,
			    const char *msg)
{
	char *body = strdup(msg);

	return body ? reply(conn, status, body, strlen(body), "text/plain") :
		      MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	struct bvh *h = cls;
	size_t len = 0;
	char *body;

	(void)version;
	(void)upload;
	if (!*req_cls) {
		/* the headers are in; answer on the next call */
		*req_cls = h;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;	/* a body we do not want */
		return MHD_YES;
	}
	h->requests++;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "only GET and HEAD\n");
	if (!strcmp(url, "/"))
		return text(conn, MHD_HTTP_OK,
			    "beaverd: the metrics are at /metrics\n");
	if (strcmp(url, "/metrics") != 0)
		return text(conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
	body = h->render(h->data, &len);
	if (!body)
		return text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "could not gather the metrics\n");
	return reply(conn, MHD_HTTP_OK, body, len, CONTENT_TYPE);
}

static void schedule(struct bvh *h);

static void run(struct bvh *h)
{
	MHD_run(h->mhd);
	schedule(h);
}

static void on_timer(void *data)
{
	struct bvh *h = data;

	h->timer = 0;
	run(h);
}

/* MHD's own deadline (idle connections), if it has one */
static void schedule(struct bvh *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (h->timer > 0)
		bvl_cancel(h->timer);
	h->timer = 0;
	if (MHD_get_timeout(h->mhd, &ms) == MHD_YES)
		h->timer = bvl_timer((uint64_t)ms * 1000000u, on_timer, h);
}

static void on_readable(int fd, short revents, void *data)
{
	(void)fd;
	(void)revents;
	run(data);
}

struct bvh *bvh_open(const struct sockaddr_storage *addr,
		     bvh_render_fn render, void *data, char *why,
		     size_t why_len)
{
	struct bvh *h = calloc(1, sizeof(*h));
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	if (!h) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	h->render = render;
	h->data = data;
	if (addr->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_SOCK_ADDR, addr,
				  MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned int)BVH_MAX_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)BVH_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				  (size_t)(64 * 1024),
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_END);
	if (!h->mhd) {
		snprintf(why, why_len, "cannot listen (address in use, or "
			 "not this host's?)");
		free(h);
		return NULL;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	h->epfd = info ? info->epoll_fd : -1;
	if (h->epfd < 0 || bvl_watch(h->epfd, POLLIN, on_readable, h)) {
		snprintf(why, why_len, "no epoll descriptor from libmicrohttpd");
		MHD_stop_daemon(h->mhd);
		free(h);
		return NULL;
	}
	return h;
}

void bvh_close(struct bvh *h)
{
	if (!h)
		return;
	bvl_unwatch(h->epfd);
	if (h->timer > 0)
		bvl_cancel(h->timer);
	MHD_stop_daemon(h->mhd);
	free(h);
}

unsigned long long bvh_requests(const struct bvh *h)
{
	return h ? h->requests : 0;
}
