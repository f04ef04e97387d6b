#include "services.h"
#include "svc.h"

void services_init(void)
{
	static const struct service *const all[] = {
		&service_log, &service_ram, &service_rm, &service_timer, &service_irq,
		&service_io_mem, &service_cpu, &service_gate, &service_link,
	};
	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		session_service_add(all[i]);
	timers_init();
}
