namespace Kvmspec.Spec.Arm64;

/// <summary>DBGBCR&lt;n&gt;_EL1, Debug Breakpoint Control Register: the fields this model uses.</summary>
/// <remarks>
/// Arm ARM DDI 0487, "DBGBCR&lt;n&gt;_EL1": E (bit 0, enable), PMC (bits 2:1, privilege match:
/// 0b01 EL1, 0b10 EL0, 0b11 both), BAS (bits 8:5, byte address select; 0b1111 for A64), LBN
/// (bits 19:16, linked breakpoint number), BT (bits 23:20, breakpoint type). Left out: HMC, SSC,
/// SSCE (Non-secure, no EL2 matching).
/// </remarks>
public readonly record struct DBGBCR(bool E, byte PMC, byte BAS, byte LBN, BreakpointType BT)
{
    /// <summary>An enabled EL1 breakpoint of <paramref name="type"/>, linked to <paramref name="lbn"/> where the type links.</summary>
    public static DBGBCR El1(BreakpointType type, byte lbn = 0) => new(true, 0b01, 0b1111, lbn, type);

    public ulong Encode() => (E ? 1UL : 0) | (ulong)(PMC & 3) << 1 | (ulong)(BAS & 0xF) << 5 | (ulong)(LBN & 0xF) << 16 | (ulong)((byte)BT & 0xF) << 20;

    public static DBGBCR Decode(ulong v) =>
        new((v & 1) != 0, (byte)(v >> 1 & 3), (byte)(v >> 5 & 0xF), (byte)(v >> 16 & 0xF), (BreakpointType)(v >> 20 & 0xF));

    /// <summary>Whether the breakpoint matches at <paramref name="el"/> (PMC).</summary>
    public bool MatchesEl(ExceptionLevel el) => el switch
    {
        ExceptionLevel.EL1 => (PMC & 0b01) != 0,
        ExceptionLevel.EL0 => (PMC & 0b10) != 0,
        _ => false,
    };
}

/// <summary>DBGBCR&lt;n&gt;_EL1.BT, the breakpoint types this model uses.</summary>
/// <remarks>Arm ARM "DBGBCR&lt;n&gt;_EL1", BT: 0b0000 unlinked instruction address match, 0b0001
/// linked instruction address match, 0b0010 unlinked context ID match, 0b0011 linked context ID match.</remarks>
public enum BreakpointType : byte
{
    AddressUnlinked = 0b0000,
    AddressLinked = 0b0001,
    ContextIdUnlinked = 0b0010,
    ContextIdLinked = 0b0011,
}

/// <summary>DBGWCR&lt;n&gt;_EL1, Debug Watchpoint Control Register: the fields this model uses.</summary>
/// <remarks>Arm ARM DDI 0487, "DBGWCR&lt;n&gt;_EL1": E (bit 0), PAC (bits 2:1, privilege: 0b01 EL1),
/// LSC (bits 4:3: 0b01 load, 0b10 store, 0b11 both), BAS (bits 12:5, byte address select), LBN
/// (bits 19:16), WT (bit 20, linked to the context breakpoint LBN). Left out: HMC, SSC, MASK.</remarks>
public readonly record struct DBGWCR(bool E, byte PAC, byte LSC, byte BAS, byte LBN, bool WT)
{
    /// <summary>An enabled EL1 load/store watchpoint on all 8 bytes, optionally linked to context breakpoint <paramref name="lbn"/>.</summary>
    public static DBGWCR El1LoadStore(bool linked = false, byte lbn = 0) => new(true, 0b01, 0b11, 0xFF, lbn, linked);

    public ulong Encode() => (E ? 1UL : 0) | (ulong)(PAC & 3) << 1 | (ulong)(LSC & 3) << 3 | (ulong)BAS << 5 | (ulong)(LBN & 0xF) << 16 | (WT ? 1UL << 20 : 0);

    public static DBGWCR Decode(ulong v) =>
        new((v & 1) != 0, (byte)(v >> 1 & 3), (byte)(v >> 3 & 3), (byte)(v >> 5 & 0xFF), (byte)(v >> 16 & 0xF), (v >> 20 & 1) != 0);
}
