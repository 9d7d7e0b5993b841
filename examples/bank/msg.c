// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The bank's messages are short text: a capture of the first bytes of an
 * in-flight packet (capture_bytes) must hold a whole one, and a person
 * reading a capture or a trace can read them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank.h"

static int valid(const struct bank_msg *m)
{
	return (m->type == 'T' || m->type == 'A') &&
	       (m->kind == 'u' || m->kind == 'r' || m->kind == 't') &&
	       m->from >= 1 && m->from <= BANK_MAX_ID &&
	       m->to >= 1 && m->to <= BANK_MAX_ID && m->from != m->to &&
	       m->id > 0 &&
	       (m->type == 'A' || (m->acct >= 0 && m->acct < BANK_ACCOUNTS));
}

int bank_msg_encode(const struct bank_msg *m, char *buf, size_t len)
{
	int n;

	if (!valid(m))
		return -1;
	if (m->type == 'T')
		n = snprintf(buf, len, "BNK1 T %c %d %d %u %d %u\n", m->kind,
			     m->from, m->to, m->id, m->acct, m->amount);
	else
		n = snprintf(buf, len, "BNK1 A %c %d %d %u\n", m->kind,
			     m->from, m->to, m->id);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* the next space-separated decimal number at *p (strtoul, checked) */
static int field(const char **p, unsigned long max, unsigned long *v)
{
	char *end;

	while (**p == ' ')
		(*p)++;
	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	*v = strtoul(*p, &end, 10);
	if (errno || *v > max)
		return -1;
	*p = end;
	return 0;
}

int bank_msg_decode(const char *buf, size_t len, struct bank_msg *m)
{
	char s[96];
	const char *p = s;
	unsigned long from, to, id, acct = 0, amount = 0;

	/* a copy: the datagram is not a string */
	if (len >= sizeof(s))
		len = sizeof(s) - 1;
	memcpy(s, buf, len);
	s[len] = '\0';
	memset(m, 0, sizeof(*m));
	if (strncmp(s, "BNK1 ", 5) != 0 || len < 9 || s[6] != ' ' || s[8] != ' ')
		return -1;
	m->type = s[5];
	m->kind = s[7];
	p = s + 8;
	if (field(&p, BANK_MAX_ID, &from) || field(&p, BANK_MAX_ID, &to) ||
	    field(&p, UINT32_MAX, &id))
		return -1;
	if (m->type == 'T' &&
	    (field(&p, BANK_ACCOUNTS, &acct) || field(&p, UINT32_MAX, &amount)))
		return -1;
	m->from = (int)from;
	m->to = (int)to;
	m->id = (uint32_t)id;
	m->acct = (int)acct;
	m->amount = (uint32_t)amount;
	return valid(m) ? 0 : -1;
}
