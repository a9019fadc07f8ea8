namespace Kvmspec.Spec.Arm64;

/// <summary>An exception syndrome, ESR_ELx: class, instruction length and the ISS.</summary>
/// <remarks>
/// Arm ARM DDI 0487, "ESR_EL2, Exception Syndrome Register (EL2)" and, for software step,
/// "ISS encoding for an exception from a Software Step exception": ISV (bit 24) says whether EX
/// (bit 6, the stepped instruction was a load-exclusive) is valid, that is whether an instruction
/// was stepped; IFSC (bits 5:0) is 0b100010 (0x22). IL is 1 for every exception this model
/// produces from AArch64 code. Bit positions appear only in <see cref="Encode"/> and <see cref="Decode"/>.
/// </remarks>
public readonly record struct ESR_ELx(ExceptionClass EC, bool IL, uint ISS)
{
    /// <summary>IFSC/DFSC 0b100010: debug exception (software step, breakpoint, watchpoint).</summary>
    public const uint SoftwareStepIFSC = 0x22;
    public const int ISV_BIT = 24, EX_BIT = 6;

    /// <summary>The syndrome of a software-step exception: EC SOFTSTP_LOW (from a lower EL) or SOFTSTP_CUR.</summary>
    public static ESR_ELx SoftwareStep(bool fromLowerEL, bool isv, bool ex) =>
        new(fromLowerEL ? ExceptionClass.SOFTSTP_LOW : ExceptionClass.SOFTSTP_CUR, IL: true,
            (isv ? 1u << ISV_BIT : 0) | (isv && ex ? 1u << EX_BIT : 0) | SoftwareStepIFSC);

    /// <summary>The syndrome of a BRK instruction (EC 0x3C, ISS = the 16-bit immediate).</summary>
    public static ESR_ELx Brk64(ushort imm16) => new(ExceptionClass.BRK64, IL: true, imm16);

    /// <summary>A breakpoint exception: EC BREAKPT_LOW (from a lower EL, to EL2) or BREAKPT_CUR; ISS.IFSC = 0x22 (debug exception).</summary>
    public static ESR_ELx Breakpoint(bool fromLowerEL) =>
        new(fromLowerEL ? ExceptionClass.BREAKPT_LOW : ExceptionClass.BREAKPT_CUR, IL: true, SoftwareStepIFSC);

    /// <summary>A watchpoint exception: EC WATCHPT_LOW or WATCHPT_CUR; ISS.WnR (bit 6) for a store, DFSC = 0x22 (debug exception).</summary>
    public static ESR_ELx Watchpoint(bool fromLowerEL, bool wnr) =>
        new(fromLowerEL ? ExceptionClass.WATCHPT_LOW : ExceptionClass.WATCHPT_CUR, IL: true, (wnr ? 1u << 6 : 0) | SoftwareStepIFSC);

    /// <summary>Whether the class is a breakpoint, watchpoint or software-step exception (the ones the OS Lock suppresses).</summary>
    public bool IsLockableDebug => EC is ExceptionClass.BREAKPT_LOW or ExceptionClass.BREAKPT_CUR or ExceptionClass.WATCHPT_LOW
        or ExceptionClass.WATCHPT_CUR or ExceptionClass.SOFTSTP_LOW or ExceptionClass.SOFTSTP_CUR;

    /// <summary>A data abort; <paramref name="isv"/> is ISS.ISV (bit 24, the syndrome describes the access).</summary>
    public static ESR_ELx DataAbort(bool fromLowerEL, bool isv, bool wnr, uint dfsc) =>
        new(fromLowerEL ? ExceptionClass.DABT_LOW : ExceptionClass.DABT_CUR, IL: true,
            (isv ? 1u << 24 : 0) | (wnr ? 1u << 6 : 0) | (dfsc & 0x3F));

    /// <summary>DFSC 0b010000: synchronous external abort, not on a translation table walk.</summary>
    public const uint DFSC_SEA = 0x10;
    /// <summary>DFSC 0b000111: translation fault, level 3 (a stage-2 fault on unmapped RAM).</summary>
    public const uint DFSC_TRANSLATION_L3 = 0x07;

    public bool ISV => (ISS >> ISV_BIT & 1) != 0;
    public bool EX => (ISS >> EX_BIT & 1) != 0;
    public uint IFSC => ISS & 0x3F;

    public ulong Encode() => (ulong)EC << 26 | (IL ? 1UL << 25 : 0) | (ISS & 0x1FF_FFFF);

    public static ESR_ELx Decode(ulong esr) => new((ExceptionClass)(esr >> 26 & 0x3F), (esr >> 25 & 1) != 0, (uint)(esr & 0x1FF_FFFF));

    public override string ToString() => $"{{EC={EC}(0x{(byte)EC:X2}) IL={(IL ? 1 : 0)} ISS=0x{ISS:X}}}";
}
