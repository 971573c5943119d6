#define BOOST_TEST_MODULE interloop
#include <boost/test/unit_test.hpp>
