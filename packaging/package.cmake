# What `cmake --install` lays down and `cmake --build BUILD --target package`
# (CPack) packs into wgmesh_VERSION_ARCH.deb: the programs, the systemd unit,
# the sysctls, the config and state directories, the man pages, bash
# completion and the docs. docs/install.md ("Debian package") describes it.

# The unit and the sysctl file are shared with install.sh (one source each).
set(SBINDIR /usr/sbin)
set(DOCDIR /usr/share/doc/wgmesh)
configure_file(${CMAKE_SOURCE_DIR}/packaging/wgmeshd.service.in ${CMAKE_BINARY_DIR}/wgmeshd.service @ONLY)

# Man pages: wgmesh(8) and wgmesh-config(5) are written by the program from
# its command and key tables (wgmesh __man), wgmeshd(8) by hand
# (tests/lint/man.sh checks it against `wgmeshd --help`).
set(WGM_MAN_DIR ${CMAKE_BINARY_DIR}/man)
add_custom_command(OUTPUT ${WGM_MAN_DIR}/wgmesh.8 ${WGM_MAN_DIR}/wgmesh-config.5 ${WGM_MAN_DIR}/wgmeshd.8
  COMMAND ${CMAKE_COMMAND} -E make_directory ${WGM_MAN_DIR}
  COMMAND wgmesh __man wgmesh > ${WGM_MAN_DIR}/wgmesh.8
  COMMAND wgmesh __man wgmesh-config ${CMAKE_SOURCE_DIR}/docs/configuration.md > ${WGM_MAN_DIR}/wgmesh-config.5
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_SOURCE_DIR}/packaging/wgmeshd.8 ${WGM_MAN_DIR}/wgmeshd.8
  DEPENDS wgmesh ${CMAKE_SOURCE_DIR}/docs/configuration.md ${CMAKE_SOURCE_DIR}/packaging/wgmeshd.8
  COMMENT "Writing the man pages"
  VERBATIM)
add_custom_target(man ALL DEPENDS ${WGM_MAN_DIR}/wgmesh.8 ${WGM_MAN_DIR}/wgmesh-config.5 ${WGM_MAN_DIR}/wgmeshd.8)

install(FILES ${CMAKE_BINARY_DIR}/wgmeshd.service DESTINATION lib/systemd/system)
install(FILES ${WGM_MAN_DIR}/wgmesh.8 ${WGM_MAN_DIR}/wgmeshd.8 DESTINATION share/man/man8)
install(FILES ${WGM_MAN_DIR}/wgmesh-config.5 DESTINATION share/man/man5)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/completion/wgmesh DESTINATION share/bash-completion/completions)
file(GLOB WGM_DOCS ${CMAKE_SOURCE_DIR}/docs/*.md ${CMAKE_SOURCE_DIR}/docs/*.json)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${WGM_DOCS} DESTINATION share/doc/wgmesh)
# Outside the prefix: where the programs look for them.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/99-wgmesh.conf DESTINATION /etc/sysctl.d)
install(DIRECTORY DESTINATION /etc/wgmesh DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
install(DIRECTORY DESTINATION /var/lib/wgmesh DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wgmesh)
# WGM_PACKAGE_VERSION: the package's version when it is not the program's
# (tests/e2e/test_deb.sh upgrades to a higher one).
set(WGM_PACKAGE_VERSION ${PROJECT_VERSION} CACHE STRING "version of the Debian package")
set(CPACK_PACKAGE_VERSION ${WGM_PACKAGE_VERSION})
set(CPACK_PACKAGE_CONTACT "wgmesh maintainers <wgmesh@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "WireGuard mesh VPN manager with BIRD OSPF routing")
set(CPACK_PACKAGE_DESCRIPTION "wgmeshd builds WireGuard links between nodes joined by token, measures them and lets BIRD 2 route the mesh over OSPF; wgmesh is its command line and console.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "bird2, wireguard-tools | wireguard-go, iproute2, iptables, passwd")
# The libraries (libmnl0, libjansson4, libcurl4, libmicrohttpd12, libsodium23,
# libncursesw6) as dpkg-shlibdeps finds them, with the versions they need.
find_program(WGM_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(WGM_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${CPACK_DEBIAN_PACKAGE_DEPENDS}, libmnl0, libjansson4, libcurl4, libmicrohttpd12, libsodium23, libncursesw6")
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
  ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
  ${CMAKE_SOURCE_DIR}/packaging/debian/postrm
  ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
