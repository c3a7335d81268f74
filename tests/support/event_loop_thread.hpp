#pragma once
// An Asio event loop on its own thread for a test, stopped and joined when
// the test's scope ends, however it ends.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

namespace edgestock::testing {

struct EventLoopThread {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  EventLoopThread() = default;
  EventLoopThread(const EventLoopThread&) = delete;
  EventLoopThread& operator=(const EventLoopThread&) = delete;
  ~EventLoopThread() {
    work.reset();
    io.stop();
    thread.join();
  }
};

}  // namespace edgestock::testing
