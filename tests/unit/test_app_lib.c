// SPDX-License-Identifier: GPL-2.0
/*
 * libbeaver-app (libbeaver-app/): reading epochs from packet marks, the
 * conversation with a fake beaverd on a real SOCK_SEQPACKET socket (a
 * child process plays beaverd/apps.c), and the Python binding against the
 * built library. If these fail, an application puts messages on the wrong
 * side of its cut, misses cut announcements, or its state never reaches
 * the record.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <jansson.h>

#include "beaver-app.h"
#include "app_internal.h"
#include "app_mark.h"

/* a library handle with @mask and reference @epoch, no socket */
static struct beaver_app fake(uint32_t mask, uint32_t epoch)
{
	struct beaver_app a = { .fd = -1, .mask = mask };

	bva_lib_note_epoch(&a, epoch);
	return a;
}

/* the mark a member with @mask writes for @epoch: the module's own code */
static uint32_t mark_of(uint32_t mask, uint32_t epoch, uint32_t other)
{
	return bv_app_mark_set(mask, other, epoch);
}

static void test_epoch_of_mark(void **state)
{
	const uint32_t m8 = 0xff0000, m16 = 0xffff;
	struct beaver_app a = fake(m8, 1000);
	uint32_t e;

	(void)state;
	/* the reference, and up to 63 either side of it (7 bits) */
	for (uint32_t x = 1000 - 63; x <= 1000 + 63; x++) {
		assert_int_equal(beaver_app_epoch_of_mark(&a,
				 mark_of(m8, x, 0xa5000001), &e), 1);
		assert_int_equal(e, x);
	}
	/* 64 away is ambiguous: read as the one behind */
	assert_int_equal(beaver_app_epoch_of_mark(&a, mark_of(m8, 1064, 0), &e), 1);
	assert_int_equal(e, 1064 - 128);
	/* not marked: the flag bit clear, nothing, no mask */
	assert_int_equal(beaver_app_epoch_of_mark(&a, 0, &e), 0);
	assert_int_equal(beaver_app_epoch_of_mark(&a, 0xa5000001, &e), 0);
	assert_int_equal(beaver_app_epoch_of_mark(&a, 0x00fe0000, &e), 0);
	a = fake(0, 1000);
	assert_int_equal(beaver_app_epoch_of_mark(&a, mark_of(m8, 1000, 0), &e), 0);
	/* 16 bits, across the 2^32 wrap of epochs */
	a = fake(m16, 0xfffffff0u);
	assert_int_equal(beaver_app_epoch_of_mark(&a, mark_of(m16, 5, 0), &e), 1);
	assert_int_equal(e, 5);
	assert_int_equal(beaver_app_epoch_of_mark(&a, mark_of(m16, 0xffffff00u, 0), &e), 1);
	assert_int_equal(e, 0xffffff00u);
	/* 2 bits: one epoch bit, the current one or the one before */
	a = fake(0x3, 8);
	assert_int_equal(beaver_app_epoch_of_mark(&a, 0x1, &e), 1);
	assert_int_equal(e, 8);
	assert_int_equal(beaver_app_epoch_of_mark(&a, 0x3, &e), 1);
	assert_int_equal(e, 7);
	/* reading a mark never moves the reference */
	assert_int_equal(beaver_app_epoch(&a), 8);
	/* the reference only moves forward */
	bva_lib_note_epoch(&a, 6);
	assert_int_equal(beaver_app_epoch(&a), 8);
	bva_lib_note_epoch(&a, 9);
	assert_int_equal(beaver_app_epoch(&a), 9);
}

/* ---- a fake beaverd ---- */

static char sock_path[108];

/* what the fake server does after accepting and reading the subscribe */
enum script { S_GOOD, S_NOT_HELLO, S_SILENT, S_TCP };

static void say(int c, const char *s);

/* S_TCP: the query the application must send (ports known at run time) */
static int tcp_lport, tcp_rport;

/* a tcp_cut query for epoch 9 of the loopback connection: its id, or -1 */
static json_int_t expect_tcp_query(int c)
{
	char buf[8192];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.b,
			    .msg_controllen = sizeof(ctl.b) };
	ssize_t n = recvmsg(c, &m, 0);
	struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
	json_int_t id, epoch, lport, rport;
	const char *op, *local, *remote;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int ok, passed = -1;
	json_t *j;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* the socket itself comes along: beaverd reads the flow from it */
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&passed, CMSG_DATA(cm), sizeof(passed));
	if (passed < 0 || getsockname(passed, (struct sockaddr *)&sa, &sl) ||
	    ntohs(sa.sin_port) != tcp_lport) {
		fprintf(stderr, "fake beaverd: no socket of the flow passed\n");
		return -1;
	}
	close(passed);
	j = json_loads(buf, 0, NULL);
	ok = j && !json_unpack(j, "{s:s, s:I, s:I, s:s, s:I, s:s, s:I}", "op",
			       &op, "id", &id, "epoch", &epoch, "local",
			       &local, "lport", &lport, "remote", &remote,
			       "rport", &rport) &&
	     !strcmp(op, "tcp_cut") && epoch == 9 &&
	     !strcmp(local, "127.0.0.1") && !strcmp(remote, "127.0.0.1") &&
	     lport == tcp_lport && rport == tcp_rport;
	if (!ok)
		fprintf(stderr, "fake beaverd: bad query '%s'\n", buf);
	json_decref(j);
	return ok ? id : -1;
}

static void answer(int c, json_int_t id, const char *rest)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "{\"event\":\"tcp_cut\",\"id\":%lld,%s}",
		 (long long)id, rest);
	say(c, buf);
}

static int expect_recv(int c, const char *want)
{
	char buf[8192];
	ssize_t n = recv(c, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return 1;
	buf[n] = '\0';
	if (strcmp(buf, want)) {
		fprintf(stderr, "fake beaverd: got '%s', want '%s'\n", buf, want);
		return 1;
	}
	return 0;
}

static void say(int c, const char *s)
{
	if (send(c, s, strlen(s), MSG_NOSIGNAL) < 0)
		_exit(3);
}

/* fork a fake beaverd listening on sock_path; returns its pid */
static pid_t serve(enum script how)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int l, c, bad = 0;
	pid_t pid;

	snprintf(sock_path, sizeof(sock_path), "/tmp/bvapp-test-%d.sock",
		 (int)getpid());
	unlink(sock_path);
	memcpy(sun.sun_path, sock_path, strlen(sock_path) + 1);
	l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(l, 1), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid) {
		close(l);
		return pid;
	}
	c = accept(l, NULL, NULL);
	if (c < 0)
		_exit(2);
	bad |= expect_recv(c, "{\"subscribe\":\"bank\"}");
	switch (how) {
	case S_NOT_HELLO:
		say(c, "{\"event\":\"cut\",\"epoch\":3,\"first\":3,\"last\":3,\"cut_ns\":1}");
		break;
	case S_SILENT:
		sleep(7);
		break;
	case S_TCP: {
		json_int_t id;

		say(c, "{\"event\":\"hello\",\"app_mark\":65280,\"epoch\":9}");
		id = expect_tcp_query(c);
		bad |= id < 0;
		/* a cut announced while the application waits, a stale answer */
		say(c, "{\"event\":\"cut\",\"epoch\":10,\"first\":10,\"last\":10,\"cut_ns\":5}");
		answer(c, id + 100, "\"known\":true,\"rx\":{},\"tx\":{}");
		/* 100 bytes across the wrap; 7 bytes and our FIN */
		answer(c, id, "\"known\":true,"
		       "\"rx\":{\"isn\":4294967280,\"seq\":85,\"fin\":false},"
		       "\"tx\":{\"isn\":1000,\"seq\":1009,\"fin\":true}");
		id = expect_tcp_query(c);
		bad |= id < 0;
		answer(c, id, "\"known\":false,\"why\":\"no such flow\"");
		id = expect_tcp_query(c);
		bad |= id < 0;
		/* nothing received before the cut, only our SYN sent */
		answer(c, id, "\"known\":true,\"rx\":{},"
		       "\"tx\":{\"isn\":7,\"seq\":8,\"fin\":false}");
		id = expect_tcp_query(c);
		bad |= id < 0;
		answer(c, id, "\"known\":true,\"rx\":{\"isn\":1},\"tx\":{}");
		break;
	}
	case S_GOOD:
		say(c, "{\"event\":\"hello\",\"app_mark\":65280,\"epoch\":5}");
		/* hostile or foreign messages are skipped */
		say(c, "not json");
		say(c, "{\"event\":\"cut\",\"first\":-1,\"last\":7,\"cut_ns\":1}");
		say(c, "{\"event\":\"cut\",\"epoch\":7,\"first\":6,\"last\":7,\"cut_ns\":123}");
		bad |= expect_recv(c, "{\"epoch\":7,\"state\":\"balances 10 20\"}");
		/* a reload's new mask, then one more cut */
		say(c, "{\"event\":\"hello\",\"app_mark\":16711680,\"epoch\":7}");
		say(c, "{\"event\":\"cut\",\"epoch\":8,\"first\":8,\"last\":8,\"cut_ns\":124}");
		bad |= expect_recv(c, "{\"epoch\":8,\"state\":\"\"}");
		break;
	}
	close(c);
	_exit(bad);
}

static int reap(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	unlink(sock_path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

static void test_conversation(void **state)
{
	struct beaver_app *app;
	struct beaver_app_cut cut;
	char big[BEAVER_APP_STATE_MAX + 2];
	pid_t pid = serve(S_GOOD);

	(void)state;
	assert_int_equal(beaver_app_open(sock_path, "bank", &app), 0);
	assert_int_equal(beaver_app_mark_mask(app), 0xff00);
	assert_int_equal(beaver_app_epoch(app), 5);
	assert_true(beaver_app_fd(app) >= 0);
	assert_int_equal(beaver_app_next_cut(app, &cut, 2000), 1);
	assert_int_equal(cut.epoch, 7);
	assert_int_equal(cut.first, 6);
	assert_int_equal(cut.last, 7);
	assert_int_equal(cut.cut_ns, 123);
	assert_int_equal(beaver_app_epoch(app), 7);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(beaver_app_submit(app, 7, big), -EMSGSIZE);
	assert_int_equal(beaver_app_submit(app, 7, NULL), -EINVAL);
	assert_int_equal(beaver_app_submit(app, 7, "balances 10 20"), 0);
	assert_int_equal(beaver_app_next_cut(app, &cut, 2000), 1);
	assert_int_equal(beaver_app_mark_mask(app), 0xff0000);
	assert_int_equal(cut.epoch, 8);
	assert_int_equal(beaver_app_submit(app, 8, ""), 0);
	/* the fake beaverd hangs up: EPIPE, not a hang */
	assert_int_equal(beaver_app_next_cut(app, &cut, 2000), -EPIPE);
	beaver_app_close(app);
	assert_int_equal(reap(pid), 0);
}

static void test_open_errors(void **state)
{
	struct beaver_app *app = (struct beaver_app *)1;
	char longname[BEAVER_APP_NAME_MAX + 2];
	pid_t pid;

	(void)state;
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(beaver_app_open("/tmp/x", "", &app), -EINVAL);
	assert_null(app);
	assert_int_equal(beaver_app_open("/tmp/x", longname, &app), -EINVAL);
	assert_int_equal(beaver_app_open("/tmp/x", "a\nb", &app), -EINVAL);
	assert_int_equal(beaver_app_open("/nonexistent/apps.sock", "bank",
					 &app), -ENOENT);
	pid = serve(S_NOT_HELLO);
	assert_int_equal(beaver_app_open(sock_path, "bank", &app), -EPROTO);
	assert_null(app);
	assert_int_equal(reap(pid), 0);
	pid = serve(S_SILENT);
	assert_int_equal(beaver_app_open(sock_path, "bank", &app), -ETIMEDOUT);
	kill(pid, SIGTERM);
	reap(pid);
}

/*
 * beaver_app_recvfrom on loopback UDP: the sender's SO_MARK stands in for
 * the member's hook (loopback skips it), so this needs CAP_NET_ADMIN
 */
static void test_recvfrom(void **state)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct beaver_app a = fake(0xff0000, 40);
	socklen_t len = sizeof(to);
	int r, s, mark;
	int64_t epoch;
	char buf[16];

	(void)state;
	r = socket(AF_INET, SOCK_DGRAM, 0);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(r >= 0 && s >= 0);
	assert_int_equal(bind(r, (struct sockaddr *)&to, sizeof(to)), 0);
	assert_int_equal(getsockname(r, (struct sockaddr *)&to, &len), 0);
	assert_int_equal(beaver_app_socket_enable(r), 0);
	mark = (int)mark_of(0xff0000, 41, 0x7);
	if (setsockopt(s, SOL_SOCKET, SO_MARK, &mark, sizeof(mark))) {
		close(r);
		close(s);
		skip();	/* no CAP_NET_ADMIN: reported as skipped */
	}
	assert_int_equal(sendto(s, "one", 3, 0, (struct sockaddr *)&to,
				sizeof(to)), 3);
	mark = 0x7;	/* the flag bit clear: not the member's */
	assert_int_equal(setsockopt(s, SOL_SOCKET, SO_MARK, &mark,
				    sizeof(mark)), 0);
	assert_int_equal(sendto(s, "two", 3, 0, (struct sockaddr *)&to,
				sizeof(to)), 3);
	assert_int_equal(beaver_app_recvfrom(&a, r, buf, sizeof(buf), 0, NULL,
					     NULL, &epoch), 3);
	assert_memory_equal(buf, "one", 3);
	assert_int_equal(epoch, 41);
	assert_int_equal(beaver_app_recvfrom(&a, r, buf, sizeof(buf), 0, NULL,
					     NULL, &epoch), 3);
	assert_int_equal(epoch, -1);
	close(r);
	close(s);
}

/*
 * Bytes before the cut from an ISN and the highest sequence number: the
 * SYN and the FIN are no bytes, sequence numbers wrap, and the 64-bit
 * count is the one nearest the kernel's own count of the stream
 */
static void test_tcp_bytes(void **state)
{
	const uint64_t G4 = 1ull << 32;
	uint64_t n = 12345;

	(void)state;
	assert_int_equal(bva_lib_tcp_bytes(true, 1000, 1101, false, 0, &n), 1);
	assert_int_equal(n, 100);
	/* only the SYN */
	assert_int_equal(bva_lib_tcp_bytes(true, 1000, 1001, false, 0, &n), 1);
	assert_int_equal(n, 0);
	/* the FIN counted: one less */
	assert_int_equal(bva_lib_tcp_bytes(true, 1000, 1102, true, 0, &n), 1);
	assert_int_equal(n, 100);
	assert_int_equal(bva_lib_tcp_bytes(true, 1000, 1002, true, 0, &n), 1);
	assert_int_equal(n, 0);
	/* across the wrap of the sequence space */
	assert_int_equal(bva_lib_tcp_bytes(true, 0xfffffff0, 0x55, false, 0,
					   &n), 1);
	assert_int_equal(n, 100);
	assert_int_equal(bva_lib_tcp_bytes(true, 0xffffffff, 0, false, 7, &n),
			 1);
	assert_int_equal(n, 0);
	/* nothing of the stream before the cut */
	n = 5;
	assert_int_equal(bva_lib_tcp_bytes(false, 0, 0, false, 1ull << 40, &n),
			 1);
	assert_int_equal(n, 0);
	/* a stream past 4 GiB: the count nearest the kernel's */
	assert_int_equal(bva_lib_tcp_bytes(true, 5, 5 + 1 + 100, false,
					   3 * G4 + 5000, &n), 1);
	assert_int_equal(n, 3 * G4 + 100);
	/* the cut ahead of what the kernel has counted so far, across 2^32 */
	assert_int_equal(bva_lib_tcp_bytes(true, 5, 5 + 1 + 100, false,
					   3 * G4 - 5000, &n), 1);
	assert_int_equal(n, 3 * G4 + 100);
	assert_int_equal(bva_lib_tcp_bytes(true, 5, 5 + 1 + 0xfffff000, false,
					   3 * G4 + 5000, &n), 1);
	assert_int_equal(n, 3 * G4 - 0x1000);
	/* a count below zero is no count: SEQ at the ISN, or a FIN alone */
	assert_int_equal(bva_lib_tcp_bytes(true, 1000, 1000, false, 0, &n), 0);
	assert_int_equal(bva_lib_tcp_bytes(true, 1000, 1001, true, 0, &n), 0);
}

/*
 * beaver_app_tcp_cut with a fake beaverd, on a real loopback connection:
 * the query names the socket's flow, the answer becomes byte counts,
 * unknown is 0, a malformed answer -EPROTO, and a cut announced while the
 * library waited still reaches beaver_app_next_cut()
 */
static void test_tcp_cut(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	struct beaver_app *app;
	struct beaver_app_cut cut;
	uint64_t rx = 1, tx = 1;
	int l, c, s, u;
	pid_t pid;

	(void)state;
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(l >= 0 && c >= 0 && u >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	s = accept(l, NULL, NULL);
	assert_true(s >= 0);
	/* the server's view: local is the listener's port */
	tcp_lport = ntohs(a.sin_port);
	len = sizeof(a);
	assert_int_equal(getpeername(s, (struct sockaddr *)&a, &len), 0);
	tcp_rport = ntohs(a.sin_port);

	pid = serve(S_TCP);
	assert_int_equal(beaver_app_open(sock_path, "bank", &app), 0);
	/* not TCP, not connected: no question asked */
	assert_int_equal(beaver_app_tcp_cut(app, u, 9, &rx, &tx), -EPROTOTYPE);
	assert_int_equal(beaver_app_tcp_cut(app, l, 9, &rx, &tx), -ENOTCONN);
	assert_int_equal(beaver_app_tcp_cut(app, s, 9, &rx, &tx), 1);
	assert_int_equal(rx, 100);
	assert_int_equal(tx, 7);
	assert_int_equal(beaver_app_tcp_cut(app, s, 9, &rx, &tx), 0);
	assert_int_equal(beaver_app_tcp_cut(app, s, 9, &rx, &tx), 1);
	assert_int_equal(rx, 0);
	assert_int_equal(tx, 0);
	assert_int_equal(beaver_app_tcp_cut(app, s, 9, &rx, &tx), -EPROTO);
	/* the announcement that came in between */
	assert_int_equal(beaver_app_next_cut(app, &cut, 2000), 1);
	assert_int_equal(cut.epoch, 10);
	beaver_app_close(app);
	assert_int_equal(reap(pid), 0);
	close(s);
	close(c);
	close(l);
	close(u);
}

/* the Python binding, against the library built by make user */
static void test_python_binding(void **state)
{
	char cmd[1024];

	(void)state;
	snprintf(cmd, sizeof(cmd),
		 "env -u LD_PRELOAD ASAN_OPTIONS= BEAVER_APP_LIB=%s "
		 "PYTHONPATH=libbeaver-app/python python3 "
		 "tests/unit/test_beaver_app.py", BEAVER_APP_SO);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch_of_mark),
		cmocka_unit_test(test_conversation),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_recvfrom),
		cmocka_unit_test(test_tcp_bytes),
		cmocka_unit_test(test_tcp_cut),
		cmocka_unit_test(test_python_binding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
