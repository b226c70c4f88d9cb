; Inno Setup 6 (6.3 or later) script: the Windows installer of verifier, in French and English.
; Saved as UTF-8 with a byte-order mark: Inno Setup reads a script without one as ANSI.
;
; Made after the frozen build, from the repository root (docs/packaging.md has every step):
;     python packaging\build.py                                  (dist\verifier\, smoke-tested)
;     iscc /DAppVersion=0.1.0 packaging\windows\verifier.iss     (build.py runs this itself when
;                                                                 it finds iscc, with the version)
; The version is verifier.__version__ (verifier\__init__.py), the only place it is written;
; build.py reads it there and passes it as /DAppVersion. Output:
; dist\verifier-<version>-windows-x64-setup.exe.
;
; Where the user's data lives, and why uninstalling never touches it:
; the database (verifier.db, SQLCipher-encrypted), its key slots (verifier.db.keys), the
; backups taken before a schema upgrade, the settings (config.json), the log and the export
; outbox are all in the user's own folder, %LOCALAPPDATA%\verifier (platformdirs), or where
; an administrator pointed them (a PostgreSQL server, another folder). Nothing is ever
; written under {app}. So this script has no [UninstallDelete] section, and it must never
; get one that reaches outside {app}: removing or upgrading the program keeps the queue.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z packaging\windows\verifier.iss (python packaging\build.py does it for you).
#endif

#define AppName "Verifier"
#define AppExe "verifier.exe"
#define AppCli "verifier-cli.exe"
; Relative to this script's folder.
#define Root "..\.."
#define Frozen Root + "\dist\verifier"

[Setup]
; The AppId never changes: it is how a new version finds the installed one and replaces it
; in place (same folder, same Start-menu entries) instead of installing beside it.
AppId={{C1F1A9E5-F9EE-4571-9160-D7F37FCCEADF}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=verifier
; VersionInfoVersion must be numbers only (1 to 4 parts): release versions are X.Y.Z.
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} {#AppVersion} Setup
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; An administrator installs for every user of the workstation (Program Files); a counter
; without administrator rights can still install for itself (%LOCALAPPDATA%\Programs).
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile={#Root}\verifier\resources\icons\verifier.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
OutputDir={#Root}\dist
OutputBaseFilename=verifier-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto
; An upgrade closes a running verifier first (Windows' Restart Manager asks it to).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
fr.AppComment=Vérifications de droits et demandes de remboursement quand le tiers payant est en panne
en.AppComment=Coverage checks and reimbursement claims while tiers payant is down
fr.CliComment=Commandes d'administration de verifier (verifier-cli --help)
en.CliComment=verifier's administration commands (verifier-cli --help)
fr.CliName=Verifier – invite de commandes
en.CliName=Verifier – command prompt
fr.DataKept=Vos données (base de demandes, réglages, journal) n'ont pas été supprimées : elles sont dans %LOCALAPPDATA%\verifier. Réinstallez verifier pour les retrouver.
en.DataKept=Your data (claim database, settings, log) was not deleted: it is in %LOCALAPPDATA%\verifier. Install verifier again to use it.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; The previous version's program files, so that nothing stale is left beside the new ones.
; Only {app}\_internal (the frozen program): the user's data is never under {app}.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Frozen}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "{cm:AppComment}"
; A command prompt opened in the program's folder, for verifier-cli (init, db, batch...).
Name: "{autoprograms}\{#AppName}\{cm:CliName}"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#AppCli}"" --help"; WorkingDir: "{app}"; Comment: "{cm:CliComment}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "{cm:AppComment}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// Say, once the program is removed, that the data was kept and where it is.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(CustomMessage('DataKept'), mbInformation, MB_OK);
end;
