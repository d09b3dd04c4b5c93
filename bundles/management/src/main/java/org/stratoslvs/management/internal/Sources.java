package org.stratoslvs.management.internal;

import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.TopologyService;

/** The services the MBeans read, each null while its bundle is away (redeploy): read them anew on every call. */
interface Sources {

    TopologyService topology();

    ConfigGenerator generator();

    KeepalivedControl control();
}
