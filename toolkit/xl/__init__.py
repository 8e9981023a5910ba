"""Excel front door: operations MCC staff run from the control workbook through xlwings (``mcc control-workbook``).

``actions`` holds the operations (plain functions over the services), ``adapter`` the only code touching an xlwings
book. The control workbook and its module are written by ``toolkit.excel.writers.control``, which also holds the
Control sheet's contract (its cells and action labels).
"""
