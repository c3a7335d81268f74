# CPack post-build step for the debug symbols package (CMake 3.25's CPack
# writes its md5sums with absolute build paths). Rebuilt with dpkg-deb as
# debhelper makes one: md5sums relative to the root, the documentation
# directory a link to the main package's.
foreach(package IN LISTS CPACK_PACKAGE_FILES)
  if(NOT package MATCHES "-dbgsym_.*\\.ddeb$")
    continue()
  endif()
  set(tree "${package}.tree")
  file(REMOVE_RECURSE "${tree}")
  execute_process(COMMAND dpkg-deb -R "${package}" "${tree}" COMMAND_ERROR_IS_FATAL ANY)
  file(STRINGS "${tree}/DEBIAN/md5sums" sums)
  set(fixed "")
  foreach(line IN LISTS sums)
    string(REGEX REPLACE "^([0-9a-f]+)  .*/usr/lib/debug/" "\\1  usr/lib/debug/" line "${line}")
    string(APPEND fixed "${line}\n")
  endforeach()
  file(WRITE "${tree}/DEBIAN/md5sums" "${fixed}")
  file(MAKE_DIRECTORY "${tree}/usr/share/doc")
  file(CREATE_LINK edgestock "${tree}/usr/share/doc/edgestock-dbgsym" SYMBOLIC)
  file(REMOVE "${package}")
  execute_process(COMMAND dpkg-deb --root-owner-group -Zxz -b "${tree}" "${package}" OUTPUT_QUIET
                  COMMAND_ERROR_IS_FATAL ANY)
  file(REMOVE_RECURSE "${tree}")
endforeach()
