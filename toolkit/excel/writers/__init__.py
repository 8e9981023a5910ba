"""One module per workbook the MCC writes. Each opens its workbook with ``toolkit.excel.book`` and, where it
computes figures or tables first, keeps a pure builder (returning a frozen value) apart from the writer that
only writes that value."""
