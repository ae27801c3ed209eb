# install(EXPORT) and a package config, so that find_package(neatsched) gives neat::sched.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_neat_installed neatsched)
if(TARGET neatsched_workload)
  list(APPEND _neat_installed neatsched_workload)
endif()
install(TARGETS ${_neat_installed} EXPORT neatschedTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/neat DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT neatschedTargets NAMESPACE neat::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/neatsched)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/neatschedConfig.cmake.in
  ${PROJECT_BINARY_DIR}/neatschedConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/neatsched)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/neatschedConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/neatschedConfig.cmake
              ${PROJECT_BINARY_DIR}/neatschedConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/neatsched)
