# TOCSIN_SANITIZE=address,undefined (set by the asan-ubsan preset) instruments every target.
set(TOCSIN_SANITIZE "" CACHE STRING "Comma-separated sanitizers, e.g. address,undefined")
if(TOCSIN_SANITIZE)
    add_compile_options(-fsanitize=${TOCSIN_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=${TOCSIN_SANITIZE})
endif()
