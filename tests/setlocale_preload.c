/* setlocale_preload.c - an LD_PRELOAD module for tests/e2e/locale.sh: when
 * loaded it sets the process locale from the environment, as a program that
 * embeds libunmask may do (the unmask CLI itself never calls setlocale, so
 * without it LC_ALL would not reach the library). */
#include <locale.h>

__attribute__((constructor)) static void um_t_setlocale(void) { setlocale(LC_ALL, ""); }
