using Kvmspec.Model.Arm64;

namespace Kvmspec.Model.Machines;

/// <summary>Every declared machine, by name, for graphs and totality checks.</summary>
public static class Catalogue
{
    public static readonly IReadOnlyList<IMachineInfo> All =
        [RunProtocol.Machine, GuestDebug.Machine, TrapEmulation.Machine, OsLock.Machine, X86.X86RunProtocol.Machine, X86.X86GuestDebugMachine.Machine, X86.X86Emulation.Machine];

    public static IMachineInfo? Find(string name) => All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
}
