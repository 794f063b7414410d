# cmake -DSRC=<repo> -P tests/check_ctype.cmake
#
# Fails when the library or the CLI uses a locale-dependent character class
# or case function: <ctype.h> (tolower, isalpha, ...) and strcasecmp/
# strncasecmp/strcasestr answer for the program's locale once it calls
# setlocale() (tr_TR.ISO-8859-9: tolower('I') is 0xFD). src/util/ascii.h has
# the ASCII ones (um_ascii_*). src/screen is left out: other engineers were
# changing it when this check came in; what is left there (lists.c:
# isspace, isalpha, isdigit; screen.c includes <ctype.h>) is to move next.
# Tools and benchmarks (tools/, bench/) are programs that never set a
# locale and are not checked.
file(GLOB_RECURSE files ${SRC}/src/*.c ${SRC}/src/*.h ${SRC}/src/*.cpp ${SRC}/cli/*.c ${SRC}/cli/*.h)
set(bad "")
foreach(f ${files})
  if(f MATCHES "/src/screen/" OR f MATCHES "/src/util/ascii\\.h$")
    continue()
  endif()
  file(STRINGS ${f} lines REGEX "ctype\\.h|(^|[^A-Za-z0-9_])(tolower|toupper|isalpha|isdigit|isalnum|isspace|isupper|islower|isxdigit|isprint|ispunct|iscntrl|isgraph|isblank|strcasecmp|strncasecmp|strcasestr)[ \t]*\\(")
  foreach(l ${lines})
    string(REPLACE "${SRC}/" "" rel ${f})
    string(APPEND bad "  ${rel}: ${l}\n")
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "locale-dependent character functions (use src/util/ascii.h):\n${bad}")
endif()
list(LENGTH files n)
message(STATUS "check_ctype: ${n} files, none uses <ctype.h> or strcasecmp outside src/screen")
