# Installation layout (GNUInstallDirs) and the Debian package (CPack).
#
#   cmake --install BUILD --prefix P   P/bin/rsconform, P/share/doc/rsconform, P/share/rsconform/suites
#   (cd BUILD && cpack -G DEB)         BUILD/rsconform_<version>_<arch>.deb, prefix /usr
#
# Only the command, its documentation and the seed suites are installed: the
# module libraries are static and linked in, tests and benchmarks stay in the
# build tree.
include(GNUInstallDirs)

if(TARGET rsconform)
  install(TARGETS rsconform RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# Documentation keeps its place relative to README.md so that the README's
# paths (speakers/routeserver/SERVE.md, ...) still lead somewhere.
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs OPTIONAL)
install(FILES speakers/routeserver/PROFILE.md speakers/routeserver/SERVE.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/speakers/routeserver)
install(FILES harness/wire/JSON.md DESTINATION ${CMAKE_INSTALL_DOCDIR}/harness/wire)
install(FILES suites/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}/suites)

# The seed suites and their schema: `rsconform run <datadir>/rsconform/suites`.
install(DIRECTORY suites/ DESTINATION ${CMAKE_INSTALL_DATADIR}/rsconform/suites
        FILES_MATCHING PATTERN "*.json")

if(NOT PROJECT_IS_TOP_LEVEL)
  return()
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME rsconform)
set(CPACK_PACKAGE_VENDOR "rsconform maintainers")
set(CPACK_PACKAGE_CONTACT "rsconform maintainers <maintainers@users.noreply.b-seed-91bc15fe.example>"
    CACHE STRING "Maintainer of the Debian package")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "record-and-replay conformance harness for BGP route servers")
set(CPACK_PACKAGE_DESCRIPTION
    "rsconform runs scripted fake BGP speakers (NVAs, ExpressRoute and VPN gateways)
against a route server that behaves like Azure Route Server, captures the
exchange with libpcap, checks propagation against expected per-peer tables
with the branch-to-branch flag off and on, and replays captured pcaps offline
through the same checks. It also decodes BGP captures and serves a reference
route server. The seed suites are in /usr/share/rsconform/suites.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # rsconform_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # libpcap0.8, libre2-9, zlib1g, libstdc++6, ... (dpkg-shlibdeps)
# `bench decode` times tshark; `bench routeserver --against bird,frr` runs the daemons.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "tshark, bird2, frr")

include(CPack)
