# Project-wide warnings; -Werror only in CI so that a new compiler warning does not
# stop a developer's local build but does stop a merge.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow)
if(DEFINED ENV{CI} AND "$ENV{CI}" STREQUAL "true")
    add_compile_options(-Werror)
endif()
