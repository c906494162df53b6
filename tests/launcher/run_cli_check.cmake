# Runs `CLI check FILE`; fails unless the exit status is EXPECTED_STATUS and stdout or
# stderr (stderr when the status is not 0) contains EXPECTED_TEXT.
execute_process(COMMAND ${CLI} check ${FILE}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL EXPECTED_STATUS)
  message(FATAL_ERROR "exit status ${status}, expected ${EXPECTED_STATUS}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(EXPECTED_STATUS EQUAL 0)
  set(haystack "${out}")
else()
  set(haystack "${err}")
endif()
string(FIND "${haystack}" "${EXPECTED_TEXT}" found)
if(found EQUAL -1)
  message(FATAL_ERROR "'${EXPECTED_TEXT}' not in the output\nstdout:\n${out}\nstderr:\n${err}")
endif()
