# The HTTP client (src/http/client/), included by src/http/CMakeLists.txt.
# Its sources are part of the http module; its tests are its own binaries.
set(TW_HTTP_CLIENT_SOURCES
  client/url.cc
  client/transport_error.cc
  client/connection.cc
  client/connection_pool.cc
  client/http_client.cc)

if(TW_BUILD_TESTS)
  # nginx and a throwaway PKI for tests of this client and of the providers.
  add_library(tokenwarden_http_client_testing STATIC ${CMAKE_CURRENT_LIST_DIR}/client/testing/nginx_server.cc)
  add_library(tokenwarden::http_client_testing ALIAS tokenwarden_http_client_testing)
  target_link_libraries(tokenwarden_http_client_testing PUBLIC tokenwarden::testing)
  tw_apply_flags(tokenwarden_http_client_testing)
endif()

tw_test(http_client_unit_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/client/url_test.cc
  DEPS tokenwarden::http)

tw_test(http_client_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/client/http_client_test.cc
  DEPS tokenwarden::http tokenwarden::http_client_testing
  LABEL integration
  TIMEOUT 60)
