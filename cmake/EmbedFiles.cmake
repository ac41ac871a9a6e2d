# tocsin_embed_files(OUTPUT <file.cpp> NAMESPACE <ns> FILES <path>...)
#
# Generates a .cpp that defines `std::string_view <ns>::Find(std::string_view name)`
# and `<ns>::Names()`, returning the bytes of each file, named by its path relative to
# BASE. Templates, CSS, i18n and migrations are built into the binary this way, so the
# server needs no files beside itself.
function(tocsin_embed_files)
    cmake_parse_arguments(ARG "" "OUTPUT;NAMESPACE;BASE" "FILES" ${ARGN})
    add_custom_command(
        OUTPUT "${ARG_OUTPUT}"
        COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} -DNAMESPACE=${ARG_NAMESPACE} -DBASE=${ARG_BASE}
                "-DFILES=${ARG_FILES}" -P "${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake"
        DEPENDS ${ARG_FILES} "${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake"
        COMMENT "Embedding ${ARG_NAMESPACE}"
        VERBATIM)
endfunction()
