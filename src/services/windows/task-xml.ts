/**
 * The Task Scheduler definition, registered with `schtasks /Create /XML`. The plain `schtasks /Create /SC
 * ONLOGON /TR …` form cannot express what a long-running gateway needs:
 * - ExecutionTimeLimit PT0S: the default limit is 72 hours, after which Task Scheduler kills the task;
 * - RestartOnFailure; no stop on battery; IgnoreNew so a second logon does not start a second gateway;
 * - a hidden console: the action is `conhost.exe --headless`, so no window opens at logon (closing a
 *   visible console window would kill the gateway).
 */
import type { ServiceDefinition } from "../service.ts";
import { quoteWindowsArg } from "./script.ts";

/**
 * Renders the task XML as text (callers encode it: schtasks expects UTF-16 with a BOM for
 * `encoding="UTF-16"`).
 */
export function renderTaskXml(def: ServiceDefinition, scriptPath: string): string {
  const user = escapeXml(def.user);
  // cmd /s /c ""<script>"": /s strips exactly the outer quote pair, so any script path survives.
  const args = `--headless cmd.exe /d /s /c "${quoteWindowsArg(scriptPath, true)}"`;
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>${escapeXml(def.description)}</Description>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <UserId>${user}</UserId>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>${user}</UserId>
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>7</Priority>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>999</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>conhost.exe</Command>
      <Arguments>${escapeXml(args)}</Arguments>
      <WorkingDirectory>${escapeXml(def.workingDirectory)}</WorkingDirectory>
    </Exec>
  </Actions>
</Task>
`.replace(/\n/g, "\r\n");
}

/** UTF-16LE with a BOM: the encoding the XML declares. */
export function encodeUtf16(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out[2 + i * 2] = code & 0xff;
    out[3 + i * 2] = code >> 8;
  }
  return out;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
