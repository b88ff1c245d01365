; MyoCase's Windows installer (Inno Setup 6): installs for the current user only (no administrator
; rights needed, into %LOCALAPPDATA%\Programs\MyoCase), adds MyoCase to the Start menu, and makes
; .myocase files open in MyoCase (MIME type application/x-myocase). Uninstalling removes all of it
; but never the user's case-series files.
;
; packaging/build.py runs it when ISCC.exe is installed; by hand, after the build (packaging/README.md):
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 /DBundleDir=%CD%\dist\myocase
;       /DIconFile=%CD%\build\bundle\icons\myocase.ico /O%CD%\dist packaging\myocase.iss

#ifndef AppVersion
  #error Give the version of the bundle: ISCC /DAppVersion=0.1.0 ... (dist\myocase\myocase.exe --version)
#endif
#ifndef BundleDir
  #define BundleDir "..\dist\myocase"
#endif
#ifndef IconFile
  #define IconFile "..\build\bundle\icons\myocase.ico"
#endif
#define GuiExe "myocasew.exe"
#define ProgId "MyoCase.CaseSeries"

[Setup]
; AppId identifies MyoCase to Windows across versions (upgrades replace it): never change it.
AppId={{5B825D7F-7A3E-45A2-8598-F9D1B97A0EEB}
AppName=MyoCase
AppVersion={#AppVersion}
AppVerName=MyoCase {#AppVersion}
AppPublisher=MyoCase
DefaultDirName={autopf}\MyoCase
DefaultGroupName=MyoCase
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
LicenseFile={#BundleDir}\LICENSES\MyoCase\LICENSE
OutputBaseFilename=myocase-{#AppVersion}-windows-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#GuiExe}
UninstallDisplayName=MyoCase {#AppVersion}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle: myocase.exe (terminal), myocasew.exe (no console window), _internal\, LICENSES\
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\MyoCase"; Filename: "{app}\{#GuiExe}"; Comment: "Myositis case-series records"
Name: "{autodesktop}\MyoCase"; Filename: "{app}\{#GuiExe}"; Tasks: desktopicon

[Registry]
; HKA is HKEY_CURRENT_USER for a per-user install. Only .myocase is claimed, never .sqlite or .db.
Root: HKA; Subkey: "Software\Classes\.myocase"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.myocase"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-myocase"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.myocase\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "MyoCase case series"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#GuiExe},0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#GuiExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#GuiExe}\SupportedTypes"; ValueType: string; ValueName: ".myocase"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,MyoCase}"; Flags: nowait postinstall skipifsilent
