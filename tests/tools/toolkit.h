/* SPDX-License-Identifier: GPL-2.0 */
/*
 * toolkit: the helpers the test tools share (udpnum, tcpnum, tcpbulk,
 * bvoracle): usage and error exits that name the tool, the dispatch of
 * commands, option values (numbers, IPv4 addresses, the relays' --to
 * A:PORT), the monotonic clock and deadlines, a clean stop on
 * SIGTERM/SIGINT, ready files, the numbered self-verifying records of
 * udpnum and tcpnum, and TCP socket helpers.
 *
 * Each tool defines `const struct tk_tool tk_tool`: its name and the
 * wording of its messages, which the helpers keep exactly as the tool had
 * them (scripts and people read them).
 */
#ifndef BEAVER_TOOLS_TOOLKIT_H
#define BEAVER_TOOLS_TOOLKIT_H

#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* tk_usage_error()'s exit status; the same in every tool */
#define TK_EXIT_USAGE	2

struct tk_tool {
	const char *name;	/* every message starts "NAME: " */
	int fail_status;	/* tk_die()'s exit status */
	int num_base;		/* tk_num(): 0 (also 0x.., 0..) or 10 */
	bool num_quotes_all;	/* tk_num() quotes '' and '-N' values too */
	bool addr_hides_value;	/* tk_addr() leaves the bad value out */
};

extern const struct tk_tool tk_tool;

/* --- exits -------------------------------------------------------------- */

/*
 * (__noreturn__, not <stdnoreturn.h>'s noreturn: cppcheck does not read
 * the system headers, and after <stdnoreturn.h> a plain noreturn attribute
 * reads _Noreturn and is dropped.)
 *
 * "NAME: MESSAGE\n(see NAME --help)\n" on stderr, exit TK_EXIT_USAGE
 */
void tk_usage_error(const char *fmt, ...)
	__attribute__((__format__(printf, 1, 2), __noreturn__));
/* "NAME: WHAT: strerror(errno)\n" on stderr, exit tk_tool.fail_status */
void tk_die(const char *what) __attribute__((__noreturn__));

/* --- commands ----------------------------------------------------------- */

struct tk_command {
	const char *name;		/* NULL: the end of the list */
	int (*run)(int argc, char **argv); /* argv[0]: the command's name */
};

/*
 * main() of a tool with commands, returning its exit status: without a
 * command, usage on stderr and TK_EXIT_USAGE; with --help or -h anywhere,
 * usage on stdout and 0; else the named command (the options after its
 * name), or "NAME: unknown command 'CMD'" and usage on stderr and
 * TK_EXIT_USAGE.
 */
int tk_run_command(int argc, char **argv, const char *usage,
		   const struct tk_command *cmds);

/* --- option values ------------------------------------------------------ */

/* s as a number in [min, max], or a usage error naming opt */
uint64_t tk_num(const char *opt, const char *s, uint64_t min, uint64_t max);
/* s as an IPv4 address, or a usage error naming opt */
struct in_addr tk_addr(const char *opt, const char *s);
/* a relay's --to A:PORT (IPv4) */
struct sockaddr_in tk_relay_to(const char *s);

/*
 * Either family, for udpnum and tcpnum: a socket address that is IPv4
 * (struct sockaddr_in, as before) or IPv6 (struct sockaddr_in6), with the
 * length to give the socket calls.
 */
struct tk_sa {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
	socklen_t len;
};

/* s as an IPv4 or IPv6 address with @port, or a usage error naming opt */
struct tk_sa tk_sa_addr(const char *opt, const char *s, uint16_t port);
/* the wildcard address of @family (0.0.0.0 or ::) with @port */
struct tk_sa tk_sa_any(int family, uint16_t port);
static inline int tk_sa_family(const struct tk_sa *a)
{
	return a->u.sa.sa_family;
}
void tk_sa_set_port(struct tk_sa *a, uint16_t port);
/* a relay's --to A:PORT or [A6]:PORT */
struct tk_sa tk_relay_to_sa(const char *s);
/*
 * @a for a socket of @family: an IPv4 address goes IPv4-mapped into an
 * AF_INET6 socket; false if it cannot (IPv6 for an AF_INET socket)
 */
bool tk_sa_for(struct tk_sa *a, int family);

/* --- time --------------------------------------------------------------- */

/* CLOCK_MONOTONIC in ns, us and ms */
int64_t tk_now_ns(void);
int64_t tk_now_us(void);
int64_t tk_now_ms(void);
/*
 * Sleep until the tk_now_ns() instant @at: pacing on an absolute schedule
 * does not drift with sleep overshoot. A signal ends it early (EINTR).
 */
void tk_sleep_until_ns(int64_t at);
/* ms left until a tk_now_ms() deadline, 0 once it passed: a poll() timeout */
int tk_remaining(int64_t deadline);
/* ms until the earlier of two tk_now_us() deadlines (0: none), for poll() */
int tk_poll_ms(int64_t now, int64_t d1, int64_t d2);

/* --- signals and files -------------------------------------------------- */

/* set by SIGTERM and SIGINT once tk_catch_signals() ran */
extern volatile sig_atomic_t tk_stop;
/* SIGTERM ends a run cleanly, results printed; no SA_RESTART so poll wakes */
void tk_catch_signals(void);

/* run on CPU @cpu only (a negative @cpu: anywhere, unchanged) */
void tk_pin_cpu(int cpu);
/* create path (if not NULL), or die */
void tk_ready_file(const char *path);

/* --- message logs ------------------------------------------------------- */

/*
 * --log FILE of udpnum and tcpnum: one `NUMBER NS` line per message, NS
 * the CLOCK_MONOTONIC instant just before a send reached the kernel or
 * just after a receive left it (what bvoracle's application-level check
 * reads). tk_log_open(NULL) is NULL and the others then do nothing.
 */
FILE *tk_log_open(const char *path);
void tk_log_rec(FILE *f, uint32_t seq, int64_t ns);
/* flush and close; 0, or 1 after a message on a write error */
int tk_log_close(FILE *f, const char *path);

/* --- numbered records --------------------------------------------------- */

/*
 * A record of size bytes: (big endian) magic, its number seq and its own
 * length, then bytes derived from seq and the offset.
 */
#define TK_REC_HDR_LEN	12

void tk_rec_build(uint8_t *buf, uint32_t magic, uint32_t seq, uint32_t size);
/* true if buf[0..len) is exactly what tk_rec_build() made; *seq its number */
bool tk_rec_verify(const uint8_t *buf, size_t len, uint32_t magic,
		   uint32_t *seq);

/* --- TCP ---------------------------------------------------------------- */

/* a listening socket on bind_addr:port (SO_REUSEADDR), or die */
int tk_tcp_listen(struct in_addr bind_addr, uint16_t port, int backlog);
/* the same on either family: bind's address and port */
int tk_tcp_listen_sa(const struct tk_sa *bind, int backlog);
/* connect the non-blocking fd to dst by a tk_now_ms() deadline; 0 or -errno */
int tk_connect(int fd, const struct sockaddr_in *dst, int64_t deadline);
int tk_connect_sa(int fd, const struct tk_sa *dst, int64_t deadline);

enum { TK_READY, TK_STOPPED, TK_LATE };
/*
 * Poll fd for events until it is ready (TK_READY), the deadline passed
 * (TK_LATE) or, with heed_stop, tk_stop is set (TK_STOPPED, checked first).
 */
int tk_wait_fd(int fd, short events, int64_t deadline, bool heed_stop);

#endif
