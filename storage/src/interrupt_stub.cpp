#include "zoomflow/storage/interrupt.hpp"
namespace zoomflow::storage {
void install_interrupt_handlers() {}
bool interrupt_requested() { return false; }
int interrupt_signal() { return 0; }
}
