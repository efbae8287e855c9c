#include "config.h"

#include "tests/unit/check.h"
int main(void) { CHECK(1, "x"); return check_done("store_test"); }
