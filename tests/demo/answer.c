/* An object that exports symbols, as lib/ and kernel/ objects do. */
#include "export.h"

struct question {
	const char *text;
	int asked;
};

int answer(struct question *q)
{
	q->asked++;
	return 42;
}
EXPORT_SYMBOL(answer);

long ask_twice(struct question *q)
{
	return answer(q) + answer(q);
}
EXPORT_SYMBOL(ask_twice);
