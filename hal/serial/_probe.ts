import ModbusRTU from 'modbus-serial';
import { SerialPort } from 'serialport';
const c = new ModbusRTU();
c.setID(1);
export const x = [c, SerialPort];
