# cmake -DSRC=<repo> -P tests/check_ctype.cmake
#
# Fails when the library or the CLI calls something that answers for the
# program's locale once it calls setlocale():
#  - a character class or case function: <ctype.h> (tolower, isalpha, ...)
#    and strcasecmp/strncasecmp/strcasestr (tr_TR.ISO-8859-9: tolower('I')
#    is 0xFD; isalpha() is true for UTF-8 lead bytes). src/util/ascii.h has
#    the ASCII ones (um_ascii_*);
#  - floating-point text: strtod/strtof/strtold/atof, the v*printf calls, and
#    a printf-family call with a %f/%g/%e/%a conversion on the same line
#    (de_DE.UTF-8 prints and reads a decimal comma). src/util/cfmt.h has the
#    "C" locale's (um_snprintf, um_vsnprintf, um_fprintf, um_strtod, ...); a
#    call whose format starts on a later line is not seen here
#    (tests/unit/test_locale.c and tests/e2e/locale.sh compare outputs).
# Tools and benchmarks (tools/, bench/) are programs that never set a
# locale and are not checked.
cmake_minimum_required(VERSION 3.25) # list(GET) keeps empty lines (CMP0007)
file(GLOB_RECURSE files ${SRC}/src/*.c ${SRC}/src/*.h ${SRC}/src/*.cpp ${SRC}/cli/*.c ${SRC}/cli/*.h)
set(ctype "ctype\\.h|(^|[^A-Za-z0-9_])(tolower|toupper|isalpha|isdigit|isalnum|isspace|isupper|islower|isxdigit|isprint|ispunct|iscntrl|isgraph|isblank|strcasecmp|strncasecmp|strcasestr)[ \t]*\\(")
set(numeric "(^|[^A-Za-z0-9_])(strtod|strtof|strtold|atof|vsnprintf|vsprintf|vprintf|vfprintf|vasprintf|vdprintf)[ \t]*\\(")
set(call "(^|[^A-Za-z0-9_:])(std::)?(printf|fprintf|sprintf|snprintf|dprintf|asprintf)[ \t]*\\(")
# a floating conversion inside a string literal ("%%" removed first)
set(conv "\"[^\"]*%[-+ #0]*[0-9*]*(\\.[0-9*]*)?[lL]?[fFeEgGaA]")
set(bad "")
foreach(f ${files})
  string(REPLACE "${SRC}/" "" rel ${f})
  # one list element per line: ';' and the brackets (which group list
  # elements) are hidden first
  file(READ ${f} text)
  string(REPLACE ";" "<s>" text "${text}")
  string(REPLACE "[" "<l>" text "${text}")
  string(REPLACE "]" "<r>" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  list(LENGTH lines nl)
  set(i 0)
  foreach(l IN LISTS lines)
    math(EXPR i "${i} + 1")
    if(l MATCHES "^[ \t]*(/\\*|\\*|//)")
      continue() # a comment line
    endif()
    set(hit FALSE)
    if(l MATCHES "${ctype}" AND NOT f MATCHES "/src/util/ascii\\.h$")
      set(hit TRUE)
    endif()
    if(NOT f MATCHES "/src/util/cfmt\\.[ch]$")
      if(l MATCHES "${numeric}")
        set(hit TRUE)
      elseif(l MATCHES "${call}")
        # the statement: this line and the next ones up to a ';' (at most 5)
        set(stmt "${l}")
        set(j ${i})
        math(EXPR jmax "${i} + 5")
        while(NOT stmt MATCHES "<s>[ \t]*(//.*)?$" AND j LESS nl AND j LESS jmax)
          list(GET lines ${j} next)
          string(APPEND stmt " ${next}")
          math(EXPR j "${j} + 1")
        endwhile()
        string(REPLACE "%%" "" stmt "${stmt}")
        if(stmt MATCHES "${conv}")
          set(hit TRUE)
        endif()
      endif()
    endif()
    if(hit)
      string(REPLACE "<s>" ";" l "${l}")
      string(REPLACE "<l>" "[" l "${l}")
      string(REPLACE "<r>" "]" l "${l}")
      string(APPEND bad "  ${rel}:${i}: ${l}\n")
    endif()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "locale-dependent calls (use src/util/ascii.h, src/util/cfmt.h):\n${bad}")
endif()
list(LENGTH files n)
message(STATUS "check_ctype: ${n} files, none uses <ctype.h>, strcasecmp or locale-dependent number text")
