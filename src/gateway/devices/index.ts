/**
 * Devices: the device pairing store and device tokens, and the `device.pair.*` / `device.token.*`
 * methods operators use to approve, reject, rotate and revoke.
 */
import { DEVICES_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { devicePairApprove, devicePairList, devicePairReject, deviceTokenRevoke, deviceTokenRotate } from "./device-pair.ts";

/** The devices feature: its methods. */
export const devicesFeature = defineFeature({
  name: "devices",
  needs: DEVICES_NEEDS,
  methods: [
    defineMethod("device.pair.list", devicePairList),
    defineMethod("device.pair.approve", devicePairApprove),
    defineMethod("device.pair.reject", devicePairReject),
    defineMethod("device.token.rotate", deviceTokenRotate),
    defineMethod("device.token.revoke", deviceTokenRevoke),
  ],
});
