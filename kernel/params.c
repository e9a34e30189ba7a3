// SPDX-License-Identifier: MIT
/*
 * The kernel command line, as GRUB passed it (multiboot2 tag 1).  Words
 * are separated by spaces; a word is either "flag" or "name=value".
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/string.h>

char boot_command_line[COMMAND_LINE_SIZE];

/* Find the word that starts with name and ends right after it or at '='. */
static const char *find_word(const char *name)
{
	size_t n = strlen(name);
	const char *p = boot_command_line;

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, name, n) && (p[n] == 0 || p[n] == ' ' || p[n] == '='))
			return p + n;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

bool cmdline_has(const char *name)
{
	return find_word(name) != NULL;
}

const char *cmdline_get(const char *name, char *buf, size_t size)
{
	const char *p = find_word(name);
	size_t i = 0;

	if (!p || *p != '=' || !size)
		return NULL;
	for (p++; *p && *p != ' ' && i + 1 < size; p++)
		buf[i++] = *p;
	buf[i] = 0;
	return buf;
}

unsigned long cmdline_get_ulong(const char *name, unsigned long def)
{
	char buf[32];

	if (!cmdline_get(name, buf, sizeof(buf)))
		return def;
	return simple_strtoul(buf, NULL, 0);
}
