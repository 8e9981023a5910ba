"""Excel front door: operations MCC staff run from the control workbook through xlwings (``mcc control-workbook``).

``actions`` holds the operations (plain functions over the services), ``adapter`` the only code touching an xlwings
book, ``control`` the writer of the control workbook and its module.
"""
