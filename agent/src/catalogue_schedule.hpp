#pragma once
// Keeps the catalogue fresh while the agent runs: a thread of its own (a pull
// waits on Odoo; scanning must not), an incremental pull at start and every
// odoo.pull_interval_s, a full one every odoo.full_pull_interval_s. Stopping
// interrupts the wait at once.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "edgestock/config/settings.hpp"
#include "edgestock/storage/ledger.hpp"

namespace edgestock::agent {

class CatalogueSchedule {
 public:
  // `log` receives one line per pull.
  CatalogueSchedule(const config::Settings& settings, std::string api_key, storage::Ledger& ledger,
                    std::function<void(const std::string&)> log);
  ~CatalogueSchedule();
  CatalogueSchedule(const CatalogueSchedule&) = delete;
  CatalogueSchedule& operator=(const CatalogueSchedule&) = delete;
  void stop();

 private:
  void run();

  config::Settings settings_;
  std::string api_key_;
  storage::Ledger& ledger_;
  std::function<void(const std::string&)> log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace edgestock::agent
