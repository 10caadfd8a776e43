<#
.SYNOPSIS
  OpenClaw installer for Windows (Linux and macOS: install.sh).

.DESCRIPTION
  Downloads openclaw-windows-x64.zip (else, for a release without it, openclaw-windows-x64.exe) from the
  release folder, checks its SHA-256 and that of the unpacked openclaw.exe against the folder's SHA256SUMS, installs it as <Prefix>\bin\openclaw.exe (default %LOCALAPPDATA%\openclaw\bin), adds that
  folder to the user PATH, then runs `openclaw setup` (skipped when a config exists) and
  `openclaw gateway install` (skip with -NoService). Re-running upgrades in place: the running binary is
  renamed to openclaw.prev.exe (kept for rollback) and the new one takes its name. Nothing is installed when
  a download or the checksum fails.

  Release folder layout: <base>\VERSION, <base>\SHA256SUMS, <base>\openclaw-windows-x64.exe and
  <base>\openclaw-windows-x64.zip (holding openclaw.exe); version VER
  lives in the sibling folder v<VER> (.../releases/latest -> .../releases/v0.2.0).

.EXAMPLE
  irm https://openclaw-bun.dev/releases/latest/install.ps1 | iex

.EXAMPLE
  & ([scriptblock]::Create((irm https://openclaw-bun.dev/releases/latest/install.ps1))) -NoService -Version 0.2.0
#>
param(
  # Install to <Prefix>\bin (default: %LOCALAPPDATA%\openclaw).
  [string]$Prefix = "",
  # Version to install (default: the latest).
  [string]$Version = $env:OPENCLAW_VERSION,
  # Release folder URL (default: $env:OPENCLAW_INSTALL_BASE, else the project's latest release).
  [string]$Base = $env:OPENCLAW_INSTALL_BASE,
  # Do not run `openclaw setup`.
  [switch]$NoSetup,
  # Do not install the gateway service (scheduled task).
  [switch]$NoService,
  # Do not add the bin folder to the user PATH.
  [switch]$NoPathUpdate
)

# Everything runs inside a function: with `irm | iex` the script shares the caller's session, so it must
# not change the caller's preferences or call `exit` (that would close their window). Errors are thrown.
function Install-OpenClaw {
  param([string]$Prefix, [string]$Version, [string]$Base, [bool]$NoSetup, [bool]$NoService, [bool]$NoPathUpdate)

  $ErrorActionPreference = 'Stop'
  # Invoke-WebRequest's progress bar slows large downloads to a crawl in Windows PowerShell 5.1.
  $ProgressPreference = 'SilentlyContinue'
  Set-StrictMode -Version 3.0

  $DefaultBase = 'https://openclaw-bun.dev/releases/latest'
  if (-not $Base) { $Base = $DefaultBase }
  $Base = $Base.TrimEnd('/')
  if ($Base -notmatch '^https?://') { throw "openclaw install: the release base must be an http(s) URL, got: $Base" }
  if (-not $Prefix) { $Prefix = Join-Path $env:LOCALAPPDATA 'openclaw' }

  # Windows PowerShell 5.1 defaults to TLS 1.0; release hosts require 1.2+.
  if ($PSVersionTable.PSVersion.Major -lt 6) {
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
  }

  # --- platform ---
  if (-not [Environment]::Is64BitOperatingSystem) {
    throw "openclaw install: 32-bit Windows is not supported (builds exist for 64-bit Windows on x64)."
  }
  $cpu = $env:PROCESSOR_ARCHITECTURE
  if ($env:PROCESSOR_ARCHITEW6432) { $cpu = $env:PROCESSOR_ARCHITEW6432 } # 32-bit PowerShell on 64-bit Windows
  switch ($cpu) {
    'AMD64' { }
    'ARM64' { Write-Host 'Windows on ARM: installing the x64 build (it runs under Windows x64 emulation).' }
    default { throw "openclaw install: unsupported CPU architecture: $cpu (builds exist for x64)." }
  }
  $asset = 'openclaw-windows-x64.exe'
  $zip = 'openclaw-windows-x64.zip'

  $dir = $Base
  if ($Version) {
    $Version = $Version -replace '^v', ''
    $dir = ($Base -replace '/[^/]*$', '') + "/v$Version"
  }
  $binDir = Join-Path $Prefix 'bin'
  $dest = Join-Path $binDir 'openclaw.exe'
  $prev = Join-Path $binDir 'openclaw.prev.exe'
  $staged = Join-Path $binDir ".openclaw.new.$PID.exe"
  $sumsFile = Join-Path ([IO.Path]::GetTempPath()) "openclaw-SHA256SUMS.$PID"
  $zipFile = Join-Path ([IO.Path]::GetTempPath()) "openclaw-$PID.zip"
  $unpacked = Join-Path ([IO.Path]::GetTempPath()) "openclaw-unpacked.$PID"

  New-Item -ItemType Directory -Force -Path $binDir | Out-Null

  try {
    Write-Host "Installing openclaw$(if ($Version) { " $Version" }) for windows-x64 from $dir"
    Get-Release "$dir/SHA256SUMS" $sumsFile $(if ($Version) { " (is $Version a published version?)" } else { '' })
    $sums = @{}
    foreach ($line in Get-Content -LiteralPath $sumsFile) {
      if ($line -match '^([0-9a-fA-F]{64}) [ *](.+)$') { $sums[$Matches[2].Trim()] = $Matches[1].ToLowerInvariant() }
    }
    $expected = $sums[$asset]
    if (-not $expected -and -not $sums[$zip]) { throw "openclaw install: $dir has no build for windows-x64 ($asset is not in SHA256SUMS)." }

    if ($sums[$zip]) {
      # The compressed download; the unpacked file is checked against the .exe's checksum as well.
      Write-Host "Downloading $dir/$zip"
      Get-Release "$dir/$zip" $zipFile '. Nothing was installed.'
      $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $zipFile).Hash.ToLowerInvariant()
      if ($actual -ne $sums[$zip]) {
        throw "openclaw install: checksum mismatch for ${zip}: expected $($sums[$zip]), got $actual. Nothing was installed."
      }
      try { Expand-Archive -LiteralPath $zipFile -DestinationPath $unpacked -Force }
      catch { throw "openclaw install: could not unpack ${zip}: $($_.Exception.Message). Nothing was installed." }
      $exe = Join-Path $unpacked 'openclaw.exe'
      if (-not (Test-Path -LiteralPath $exe -PathType Leaf)) { throw "openclaw install: $zip holds no openclaw.exe. Nothing was installed." }
      if ($expected) {
        $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $exe).Hash.ToLowerInvariant()
        if ($actual -ne $expected) {
          throw "openclaw install: checksum mismatch for $asset unpacked from ${zip}: expected $expected, got $actual. Nothing was installed."
        }
      }
      Move-Item -LiteralPath $exe -Destination $staged -Force
    } else {
      Write-Host "Downloading $dir/$asset"
      Get-Release "$dir/$asset" $staged '. Nothing was installed.'
      $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $staged).Hash.ToLowerInvariant()
      if ($actual -ne $expected) {
        throw "openclaw install: checksum mismatch for ${asset}: expected $expected, got $actual. Nothing was installed."
      }
    }
    $versionLine = Get-VersionLine $staged
    if (-not $versionLine) { throw "openclaw install: the downloaded binary does not run on this machine (see above). Nothing was installed." }

    # --- swap: a running .exe cannot be overwritten, but it can be renamed ---
    $upgrade = Test-Path -LiteralPath $dest
    if ($upgrade) {
      if (Test-Path -LiteralPath $prev) {
        try { Remove-Item -LiteralPath $prev -Force }
        catch { Move-Item -LiteralPath $prev -Destination (Join-Path $binDir ".openclaw.old.$PID.exe") -Force } # still running
      }
      Move-Item -LiteralPath $dest -Destination $prev
      try { Move-Item -LiteralPath $staged -Destination $dest }
      catch { Move-Item -LiteralPath $prev -Destination $dest; throw }
      Write-Host "Upgraded $dest to openclaw $versionLine (previous kept as $prev)"
    } else {
      Move-Item -LiteralPath $staged -Destination $dest
      Write-Host "Installed openclaw $versionLine at $dest"
    }
  } finally {
    Remove-Item -LiteralPath $staged, $sumsFile, $zipFile -Force -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $unpacked -Recurse -Force -ErrorAction SilentlyContinue
  }

  # --- PATH ---
  $userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
  $onPath = @($userPath -split ';' | Where-Object { $_ -and ($_.TrimEnd('\') -ieq $binDir.TrimEnd('\')) }).Count -gt 0
  if (-not $onPath) {
    if ($NoPathUpdate) {
      Write-Host "$binDir is not on your PATH. Add it with:"
      Write-Host "  [Environment]::SetEnvironmentVariable('Path', `"$binDir;`" + [Environment]::GetEnvironmentVariable('Path', 'User'), 'User')"
    } else {
      $newPath = if ($userPath) { "$binDir;$userPath" } else { $binDir }
      [Environment]::SetEnvironmentVariable('Path', $newPath, 'User')
      $env:Path = "$binDir;$env:Path"
      Write-Host "Added $binDir to your user PATH (new terminals pick it up)."
    }
  }

  # --- setup ---
  if (-not $NoSetup) {
    $config = Find-OpenClawConfig
    if ($config) {
      Write-Host "Config found ($config); skipping openclaw setup."
    } else {
      Write-Host ''
      if ((Invoke-Native $dest @('setup')) -ne 0) { throw "openclaw install: openclaw is installed at $dest, but 'openclaw setup' failed (see above). Fix it, then run: openclaw setup" }
    }
  }

  # --- service (scheduled task) ---
  if (-not $NoService) {
    Write-Host ''
    if ((Invoke-Native $dest @('gateway', 'install', '--help') -Quiet) -ne 0) {
      Write-Host "This openclaw build has no 'gateway install' yet; start the gateway with: openclaw gateway"
    } else {
      if ((Invoke-Native $dest @('gateway', 'install')) -ne 0) {
        throw "openclaw install: openclaw is installed at $dest, but 'openclaw gateway install' failed (see above). Run the gateway in a terminal with 'openclaw gateway', or fix the problem and run 'openclaw gateway install'."
      }
      if ($upgrade) {
        if ((Invoke-Native $dest @('gateway', 'restart')) -ne 0) { Write-Warning "could not restart the gateway service; run: openclaw gateway restart" }
      }
    }
  }

  Write-Host ''
  Write-Host "Done. Run 'openclaw --help' to get started; 'openclaw update' upgrades later."
}

# Downloads $Url to $OutFile; throws a clear message (with the HTTP status when there is one).
function Get-Release([string]$Url, [string]$OutFile, [string]$Suffix) {
  try {
    Invoke-WebRequest -Uri $Url -OutFile $OutFile -UseBasicParsing
  } catch {
    Remove-Item -LiteralPath $OutFile -Force -ErrorAction SilentlyContinue
    $status = $null
    if ($_.Exception.PSObject.Properties['Response'] -and $_.Exception.Response) { $status = [int]$_.Exception.Response.StatusCode }
    if ($status) { throw "openclaw install: download failed: $Url answered HTTP $status$Suffix" }
    throw "openclaw install: could not download ${Url}: $($_.Exception.Message)$Suffix"
  }
}

# Runs a native command with its output on the console; returns its exit code. Windows PowerShell 5.1
# turns a native command's stderr into errors, which 'Stop' would make fatal, hence 'Continue' here.
function Invoke-Native([string]$Exe, [string[]]$Arguments, [switch]$Quiet) {
  $eap = $ErrorActionPreference
  $ErrorActionPreference = 'Continue'
  try {
    if ($Quiet) { & $Exe @Arguments *> $null } else { & $Exe @Arguments | Out-Host }
    return $LASTEXITCODE
  } catch {
    Write-Host $_.Exception.Message
    return 1
  } finally {
    $ErrorActionPreference = $eap
  }
}

# First line `<exe> --version` prints, or $null when it does not start or exits non-zero.
function Get-VersionLine([string]$Exe) {
  $eap = $ErrorActionPreference
  $ErrorActionPreference = 'Continue'
  try {
    $out = @(& $Exe --version)
    if ($LASTEXITCODE -ne 0 -or $out.Count -eq 0) { return $null }
    return ([string]$out[0]).Trim()
  } catch {
    Write-Host $_.Exception.Message
    return $null
  } finally {
    $ErrorActionPreference = $eap
  }
}

# The config file openclaw would load, legacy names included; $null when there is none.
function Find-OpenClawConfig {
  if ($env:OPENCLAW_CONFIG_PATH) {
    if (Test-Path -LiteralPath $env:OPENCLAW_CONFIG_PATH) { return $env:OPENCLAW_CONFIG_PATH }
    return $null
  }
  $home_ = if ($env:HOME) { $env:HOME } else { $env:USERPROFILE }
  $stateDir = if ($env:OPENCLAW_STATE_DIR) { $env:OPENCLAW_STATE_DIR } else { Join-Path $home_ '.openclaw' }
  foreach ($dir in @($stateDir, (Join-Path $home_ '.clawdbot'), (Join-Path $home_ '.moltbot'), (Join-Path $home_ '.moldbot'))) {
    foreach ($name in @('openclaw.json', 'clawdbot.json', 'moltbot.json', 'moldbot.json')) {
      $path = Join-Path $dir $name
      if (Test-Path -LiteralPath $path) { return $path }
    }
  }
  return $null
}

Install-OpenClaw -Prefix $Prefix -Version $Version -Base $Base -NoSetup $NoSetup.IsPresent -NoService $NoService.IsPresent -NoPathUpdate $NoPathUpdate.IsPresent
