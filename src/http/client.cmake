# The HTTP client (src/http/client/), included by src/http/CMakeLists.txt.
# Its sources are part of the http module; its tests are its own binaries.
set(TW_HTTP_CLIENT_SOURCES
  client/url.cc
  client/transport_error.cc
  client/connection.cc
  client/connection_pool.cc
  client/pipeline.cc
  client/http_client.cc)

tw_test(http_client_unit_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/client/url_test.cc
  DEPS tokenwarden::http)

tw_test(http_client_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/client/http_client_test.cc
  DEPS tokenwarden::http tokenwarden::testing
  LABEL integration
  TIMEOUT 60)

tw_test(http_client_pipeline_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/client/pipeline_test.cc
  DEPS tokenwarden::http tokenwarden::testing
  LABEL integration
  TIMEOUT 60)

tw_test(http_client_tls_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/client/http_client_tls_test.cc
  DEPS tokenwarden::http tokenwarden::testing OpenSSL::SSL
  LABEL integration
  TIMEOUT 60)
